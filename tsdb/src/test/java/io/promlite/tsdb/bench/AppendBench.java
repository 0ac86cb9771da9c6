package io.promlite.tsdb.bench;

import io.promlite.tsdb.AppendException;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbOptions;
import io.promlite.tsdb.model.Labels;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;

/**
 * CPU of a scrape's known-series samples on the appending thread, split into staging
 * ({@code appendKnown}) and {@code commit}, the way the scrape loop drives the store: one appender
 * per target and scrape, refs kept by the caller. In a server the series of one target are cold
 * when its next scrape comes (the other targets, the parser, RocksDB and other processes ran in
 * between), so by default the bench streams through a buffer larger than the last-level cache
 * between targets, outside the measured time. Run by hand:
 * {@code java -XX:+UseSerialGC -cp <test classpath> io.promlite.tsdb.bench.AppendBench [targets] [seriesPerTarget] [scrapes] [evictMiB] [prefetchWindow]}.
 */
public final class AppendBench {
    private AppendBench() {
    }

    public static void main(String[] args) throws Exception {
        int targets = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int perTarget = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int scrapes = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int evictMiB = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        // Samples per Appender.prefetch call, as the scrape loop makes them; 0 for none.
        int prefetch = args.length > 4 ? Integer.parseInt(args[4]) : 32;
        long[] evictor = new long[evictMiB << 17];
        long sink = 0;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(Files.createTempDirectory("appendbench")))) {
            long[][] refs = new long[targets][perTarget];
            long t0 = 1_700_000_000_000L;
            long stageNs = 0;
            long commitNs = 0;
            long measured = 0;
            for (int scrape = 0; scrape < scrapes; scrape++) {
                boolean measure = scrape >= scrapes / 3;
                for (int t = 0; t < targets; t++) {
                    for (int i = 0; i < evictor.length; i += 8) {
                        sink += evictor[i]++;
                    }
                    long ts = t0 + scrape * 5000L + t;
                    long c0 = threads.getCurrentThreadCpuTime();
                    Appender app = db.appender();
                    long[] r = refs[t];
                    for (int s = 0; s < perTarget; s++) {
                        if (prefetch > 0 && s % prefetch == 0) {
                            app.prefetch(r, s, Math.min(perTarget, s + prefetch));
                        }
                        double v = (s & 3) == 0 ? scrape * 1.5 + s : s;
                        long known = r[s] != 0 ? app.appendKnown(r[s], ts, v) : 0;
                        r[s] = known != 0 ? known : app.append(r[s], labels(t, s), ts, v);
                    }
                    long c1 = threads.getCurrentThreadCpuTime();
                    app.commit();
                    long c2 = threads.getCurrentThreadCpuTime();
                    if (measure) {
                        stageNs += c1 - c0;
                        commitNs += c2 - c1;
                        measured += perTarget;
                    }
                }
            }
            System.out.printf("%d targets x %d series, %d MiB evicted between targets, prefetch window %d: staging %.1f ns/sample,"
                            + " commit %.1f ns/sample (%d samples measured)%n", targets, perTarget, evictMiB, prefetch,
                    (double) stageNs / measured, (double) commitNs / measured, measured);
        } catch (AppendException e) {
            throw new IllegalStateException(e);
        }
        System.out.println(sink == 42 ? "" : "done");
    }

    private static Labels labels(int t, int s) {
        return Labels.of("__name__", "bench_metric_" + (s % 50), "job", "bench", "instance", "target-" + t + ":9100",
                "series", Integer.toString(s / 50), "code", s % 3 == 0 ? "200" : "500");
    }
}
