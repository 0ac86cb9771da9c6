package io.promlite.tsdb.bench;

import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbOptions;
import io.promlite.tsdb.TsdbStats;
import io.promlite.tsdb.model.Labels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Time to become ready after {@code kill -9} with samples only in the commit log: a child JVM
 * appends {@code series × samples} samples (fewer than a chunk per series, so no chunk is written
 * and the first checkpoint is minutes away), reports its last commit and is killed with SIGKILL;
 * then this process opens the store, which replays the log and checkpoints. Run by hand:
 * {@code java -cp <test classpath> io.promlite.tsdb.bench.ReplayBench [series] [samplesPerSeries]}.
 */
public final class ReplayBench {
    private ReplayBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("write")) {
            write(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            return;
        }
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Path dir = Files.createTempDirectory("replaybench");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                ReplayBench.class.getName(), "write", dir.toString(), Integer.toString(series),
                Integer.toString(samples))).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("committed")) {
                System.out.println("child: " + line);
            }
        }
        // destroyForcibly sends SIGKILL on Linux: nothing is flushed or closed.
        child.destroyForcibly().waitFor();
        long start = System.nanoTime();
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            long ms = (System.nanoTime() - start) / 1_000_000;
            TsdbStats stats = db.stats();
            System.out.printf("replayed %d samples of %d series: open (replay + checkpoint) took %d ms;"
                    + " head holds %d series%n", (long) series * samples, series, ms, stats.headSeries());
        }
    }

    private static void write(Path dir, int series, int samples) throws Exception {
        Tsdb db = Tsdb.open(TsdbOptions.defaults(dir));
        Labels[] labels = new Labels[series];
        long[] refs = new long[series];
        for (int s = 0; s < series; s++) {
            labels[s] = Labels.of("__name__", "replay_metric_" + (s % 100), "job", "bench",
                    "instance", "target-" + (s / 1000) + ":9100", "series", Integer.toString(s));
        }
        long t0 = 1_700_000_000_000L;
        for (int n = 0; n < samples; n++) {
            Appender app = db.appender();
            for (int s = 0; s < series; s++) {
                refs[s] = app.append(refs[s], labels[s], t0 + n * 15_000L, s % 5 == 0 ? n * 0.25 : n);
            }
            app.commit();
        }
        System.out.println("committed");
        System.out.flush();
        Thread.sleep(60_000);
    }
}
