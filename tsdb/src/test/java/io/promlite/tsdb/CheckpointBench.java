package io.promlite.tsdb;

import io.promlite.tsdb.model.Labels;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU of a periodic checkpoint per series with a dirty open chunk, on this thread. Run by hand:
 * {@code java -cp <test classpath> io.promlite.tsdb.CheckpointBench [series] [samplesBetweenCheckpoints]}.
 * In this package because checkpoints are not public.
 */
public final class CheckpointBench {
    private CheckpointBench() {
    }

    public static void main(String[] args) throws Exception {
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        Path dir = Files.createTempDirectory("checkpointbench");
        var threads = ManagementFactory.getThreadMXBean();
        var process = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            Labels[] labels = new Labels[series];
            long[] refs = new long[series];
            for (int i = 0; i < series; i++) {
                labels[i] = Labels.of("__name__", "m" + (i % 50), "instance", "t" + (i / 1000), "i", Integer.toString(i));
            }
            long t0 = 1_700_000_000_000L;
            int scrape = 0;
            // Rounds of 40 samples at 5 s: the open chunks (120 samples) are checkpointed about three times each.
            for (int round = 0; round < 6; round++) {
                for (int k = 0; k < perRound; k++, scrape++) {
                    for (int from = 0; from < series; from += 1000) {
                        Appender app = db.appender();
                        for (int i = from; i < Math.min(series, from + 1000); i++) {
                            refs[i] = app.append(refs[i], labels[i], t0 + scrape * 5000L, (i % 3 == 0) ? scrape * 1.5 : i);
                        }
                        app.commit();
                    }
                }
                long start = threads.getCurrentThreadCpuTime();
                long processStart = process.getProcessCpuTime();
                db.checkpoint();
                long cpu = threads.getCurrentThreadCpuTime() - start;
                long processCpu = process.getProcessCpuTime() - processStart;
                // The process figure adds RocksDB's threads (flushes, compactions the checkpoint waits for).
                System.out.printf("checkpoint %d: %.2f us CPU per series on this thread, %.2f us in the process%n",
                        round, cpu / 1000.0 / series, processCpu / 1000.0 / series);
            }
        }
    }
}
