package io.promlite.tsdb.bench;

import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbOptions;
import io.promlite.tsdb.model.Labels;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * CPU of {@code Appender.commit()} per sample as the scrape loop drives it: per target, the CPU
 * cache stirred by the other targets' work, the references prefetched 32 at a time, the samples
 * appended, then the commit. Values mix constants, integer and
 * hundredths counters and full-precision floats, about as the ingest bench's targets expose them.
 * Run by hand, not part of the test suite:
 * {@code java -cp <test classpath> io.promlite.tsdb.bench.CommitBench [targets] [seriesPerTarget] [scrapes]}.
 */
public final class CommitBench {
    /** Bytes of unrelated memory walked between two targets' scrapes. */
    private static final int STIR_BYTES = 4 << 20;

    private CommitBench() {
    }

    public static void main(String[] args) throws Exception {
        int targets = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int perTarget = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int scrapes = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        Path dir = Files.createTempDirectory("commitbench");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] stir = new byte[STIR_BYTES];
        long stirSink = 0;
        Random rnd = new Random(42);
        int series = targets * perTarget;
        double[] values = new double[series];
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            Labels[] labels = new Labels[series];
            long[] refs = new long[series];
            for (int i = 0; i < series; i++) {
                labels[i] = Labels.of("__name__", "bench_metric_" + (i % perTarget % 50), "job", "bench",
                        "instance", "target-" + i / perTarget + ":9100", "series", Integer.toString(i % perTarget / 50));
            }
            long t0 = 1_700_000_000_000L;
            long commitCpu = 0;
            long appendCpu = 0;
            long measured = 0;
            int warmup = scrapes / 3;
            for (int scrape = 0; scrape < scrapes; scrape++) {
                for (int t = 0; t < targets; t++) {
                    for (int b = (scrape * 7919 + t * 64) & 63; b < STIR_BYTES; b += 64) {
                        stirSink += stir[b]++;
                    }
                    long a0 = threads.getCurrentThreadCpuTime();
                    Appender app = db.appender();
                    int base = t * perTarget;
                    for (int s = 0; s < perTarget; s++) {
                        int i = base + s;
                        if (s % 32 == 0) {
                            app.prefetch(refs, i, Math.min(i + 32, base + perTarget));
                        }
                        refs[i] = app.append(refs[i], labels[i], t0 + scrape * 5000L + t, next(values, i, rnd));
                    }
                    long a1 = threads.getCurrentThreadCpuTime();
                    app.commit();
                    long c1 = threads.getCurrentThreadCpuTime();
                    if (scrape >= warmup) {
                        appendCpu += a1 - a0;
                        commitCpu += c1 - a1;
                        measured += perTarget;
                    }
                }
            }
            System.out.printf("series=%d samples measured=%d: commit %.1f ns/sample, append %.1f ns/sample (%d)%n",
                    series, measured, (double) commitCpu / measured, (double) appendCpu / measured, stirSink & 1);
        }
    }

    /** The next value of series {@code i}: its kind follows from its index. */
    static double next(double[] values, int i, Random rnd) {
        double v = values[i];
        switch (i % 10) {
            case 0, 1, 2, 3 -> { }
            case 4, 5 -> v += rnd.nextInt(5000);
            case 6 -> v = Math.round((v + rnd.nextInt(300) / 100.0) * 100) / 100.0;
            case 7 -> v += rnd.nextInt(10) == 0 ? 1 : 0;
            default -> v = rnd.nextDouble() * 0.5;
        }
        values[i] = v;
        return v;
    }
}
