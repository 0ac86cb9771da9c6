package io.promlite.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers racing commits, chunk cuts and checkpoints must always see, per series, exactly the
 * samples of a prefix of the commits: no gap, no duplicate, nothing older than what was already
 * acknowledged missing.
 */
class ConcurrentReadWriteTest {
    private static final int SERIES = 20;
    private static final int COMMITS = 1_500;

    @TempDir
    Path dir;

    @Test
    void readersSeeConsistentPrefixesWhileWritingAndCheckpointing() throws Exception {
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            AtomicLong acknowledged = new AtomicLong();
            AtomicLong readsDone = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    long[] refs = new long[SERIES];
                    for (long n = 1; n <= COMMITS; n++) {
                        Appender app = db.appender();
                        for (int s = 0; s < SERIES; s++) {
                            refs[s] = app.append(refs[s], Labels.of("__name__", "m", "s", "" + s), n * 1000, n);
                        }
                        app.commit();
                        acknowledged.set(n);
                        // Let a read in every 100 commits, so reads race the writer even when
                        // the reader is still cold (interpreted) and the writer is warm.
                        long deadline = System.nanoTime() + 1_000_000_000L;
                        while (readsDone.get() < n / 100 && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.set(true);
                }
            });
            Thread checkpointer = new Thread(() -> {
                try {
                    while (!done.get()) {
                        db.checkpoint();
                        Thread.sleep(5);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            writer.start();
            checkpointer.start();
            int reads = 0;
            while (!done.get() || reads == 0) {
                long before = acknowledged.get();
                // Half the reads cover everything (memory and disk), half only recent data.
                long mint = reads % 2 == 0 ? 0 : Math.max(0, before - 50) * 1000;
                Map<Labels, List<TestData.Point>> result = TestData.select(db, mint, Long.MAX_VALUE,
                        Matcher.equal("__name__", "m"));
                for (List<TestData.Point> points : result.values()) {
                    long first = mint == 0 ? 1 : Math.max(1, mint / 1000);
                    for (int i = 0; i < points.size(); i++) {
                        assertEquals(TestData.Point.of((first + i) * 1000, first + i), points.get(i));
                    }
                    assertTrue(first + points.size() - 1 >= before,
                            "saw up to " + (first + points.size() - 1) + " after " + before + " were acknowledged");
                }
                if (before > 0) {
                    assertEquals(SERIES, result.size());
                }
                reads++;
                readsDone.set(reads);
            }
            writer.join();
            checkpointer.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertTrue(reads > 10, "only " + reads + " reads raced the writer");
        }
    }
}
