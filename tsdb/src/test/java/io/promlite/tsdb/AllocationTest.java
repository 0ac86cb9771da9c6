package io.promlite.tsdb;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.Labels;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The append path for known series allocates nothing per sample: what remains is per commit
 * (the RocksDB batch, the log record) and per chunk (a new chunk every 120 samples).
 */
class AllocationTest {
    @TempDir
    Path dir;

    @Test
    void appendingToKnownSeriesAllocatesOnlyPerCommitAndPerChunk() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int series = 1000;
        Labels[] labels = new Labels[series];
        long[] refs = new long[series];
        for (int i = 0; i < series; i++) {
            labels[i] = Labels.of("__name__", "m", "i", Integer.toString(i));
        }
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            Appender app = db.appender();
            long before = 0;
            int scrapes = 400;
            int warmup = 100;
            for (int scrape = 0; scrape < scrapes; scrape++) {
                if (scrape == warmup) {
                    before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
                }
                for (int i = 0; i < series; i++) {
                    refs[i] = app.append(refs[i], labels[i], scrape * 15_000L, i % 7 == 0 ? scrape : 1.0);
                }
                app.commit();
            }
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            double perSample = (double) allocated / ((long) (scrapes - warmup) * series);
            // A boxed long or a per-sample object would cost 16 bytes or more per sample.
            assertTrue(perSample < 8, "allocated " + perSample + " bytes per sample");
        }
    }
}
