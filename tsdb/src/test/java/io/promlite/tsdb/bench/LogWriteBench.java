package io.promlite.tsdb.bench;

import io.promlite.tsdb.store.CommitLog;
import io.promlite.tsdb.store.RocksStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * CPU of the RocksDB side of a commit alone: one scrape's commit-log record (1000 samples of one
 * target, values as the ingest bench's targets expose them) put into a reused write batch and
 * written, as {@code Tsdb.commit} does, without the head's work around it. Prints the thread's CPU
 * per commit, so that store options can be compared, and pauses between commits when asked (so
 * that {@code strace -c -f -p} counts the syscalls of a known number of commits at the bench's rate).
 * The WAL is synced every {@code syncEvery} commits, as {@code Tsdb} does once a second (20 commits at the
 * ingest bench's rate). Run by hand, not part of the test suite:
 * {@code java -cp <test classpath> io.promlite.tsdb.bench.LogWriteBench [commits] [samplesPerCommit] [pauseMicros] [syncEvery]}.
 */
public final class LogWriteBench {
    private LogWriteBench() {
    }

    public static void main(String[] args) throws Exception {
        int commits = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int perCommit = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        long pauseMicros = args.length > 2 ? Long.parseLong(args[2]) : 0;
        int syncEvery = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        Path dir = Files.createTempDirectory("logwritebench");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Random rnd = new Random(42);
        double[] values = new double[perCommit * 100];
        long[] bits = new long[perCommit];
        try (RocksStore store = RocksStore.open(dir, false);
                WriteOptions writeOptions = new WriteOptions()) {
            CommitLog log = new CommitLog(store.db(), store.log(), 0);
            WriteBatch batch = new WriteBatch();
            long t0 = 1_700_000_000_000L;
            int warmup = commits / 4;
            long encodeCpu = 0;
            long writeCpu = 0;
            long syncCpu = 0;
            long recordBytes = 0;
            long measured = 0;
            long wallStart = 0;
            for (int c = 0; c < commits; c++) {
                int target = c % 100;
                long t = t0 + c / 100 * 5000L + target;
                for (int s = 0; s < perCommit; s++) {
                    bits[s] = Double.doubleToRawLongBits(CommitBench.next(values, target * perCommit + s, rnd));
                }
                long c0 = threads.getCurrentThreadCpuTime();
                log.begin(false, true);
                for (int s = 0; s < perCommit; s++) {
                    log.add(target * perCommit + s + 1, t, bits[s], 0);
                }
                long c1 = threads.getCurrentThreadCpuTime();
                long logged = log.bytesSinceCheckpoint();
                log.put(batch);
                store.db().write(writeOptions, batch);
                log.written();
                batch.clear();
                long c2 = threads.getCurrentThreadCpuTime();
                if (syncEvery > 0 && c % syncEvery == 0) {
                    store.db().syncWal();
                }
                long c3 = threads.getCurrentThreadCpuTime();
                if (c == warmup) {
                    wallStart = System.nanoTime();
                }
                if (c >= warmup) {
                    encodeCpu += c1 - c0;
                    writeCpu += c2 - c1;
                    syncCpu += c3 - c2;
                    recordBytes += log.bytesSinceCheckpoint() - logged;
                    measured++;
                }
                if (pauseMicros > 0) {
                    Thread.sleep(pauseMicros / 1000, (int) (pauseMicros % 1000) * 1000);
                }
            }
            System.out.printf("commits measured=%d of %d samples (%d record bytes): CPU per commit %.2f us writing, "
                    + "%.2f us encoding, %.2f us syncing; wall %.2f us per commit%n", measured, perCommit,
                    recordBytes / measured, writeCpu / 1e3 / measured,
                    encodeCpu / 1e3 / measured, syncCpu / 1e3 / measured, (System.nanoTime() - wallStart) / 1e3 / measured);
            batch.close();
        }
    }
}
