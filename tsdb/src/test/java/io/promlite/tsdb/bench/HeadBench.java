package io.promlite.tsdb.bench;

import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Querier;
import io.promlite.tsdb.SampleIterator;
import io.promlite.tsdb.SeriesSet;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbOptions;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Heap and disk per series/sample for a bench-like workload (targets × series scraped every 5s),
 * CPU time per appended sample, and the latency of a few selects. Run by hand, not part of the test suite:
 * {@code java -cp <test classpath> io.promlite.tsdb.bench.HeadBench [targets] [seriesPerTarget] [scrapes] [pauseSeconds]}.
 */
public final class HeadBench {
    private HeadBench() {
    }

    public static void main(String[] args) throws Exception {
        int targets = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int perTarget = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int scrapes = args.length > 2 ? Integer.parseInt(args[2]) : 240;
        // Seconds to wait after the memory figures, to inspect the process (jcmd, /proc).
        int pauseSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        Path dir = Files.createTempDirectory("headbench");
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long baseline = usedAfterGc(mem);
        int series = targets * perTarget;
        long samples = 0;
        long cpuStart;
        long cpu;
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            Labels[] labels = new Labels[series];
            long[] refs = new long[series];
            for (int t = 0; t < targets; t++) {
                for (int s = 0; s < perTarget; s++) {
                    labels[t * perTarget + s] = Labels.of("__name__", "bench_metric_" + (s % 50),
                            "job", "bench", "instance", "target-" + t + ":9100", "series", Integer.toString(s / 50),
                            "code", s % 3 == 0 ? "200" : "500");
                }
            }
            long t0 = 1_700_000_000_000L;
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long self = Thread.currentThread().getId();
            cpuStart = threads.getCurrentThreadCpuTime();
            double v = 0;
            long firstScrapeCpu = 0;
            long allocStart = 0;
            for (int scrape = 0; scrape < scrapes; scrape++) {
                if (scrape == 1) {
                    firstScrapeCpu = threads.getCurrentThreadCpuTime() - cpuStart;
                }
                if (scrape == scrapes / 2) {
                    // Past warm-up: what the steady known-series path allocates.
                    allocStart = threads.getThreadAllocatedBytes(self);
                }
                for (int t = 0; t < targets; t++) {
                    Appender app = db.appender();
                    for (int s = 0; s < perTarget; s++) {
                        int i = t * perTarget + s;
                        v += (i % 7 == 0) ? 1.5 : 0;
                        refs[i] = app.append(refs[i], labels[i], t0 + scrape * 5000L + t, (i % 3 == 0) ? v : i);
                        samples++;
                    }
                    app.commit();
                }
            }
            cpu = threads.getCurrentThreadCpuTime() - cpuStart;
            long allocated = threads.getThreadAllocatedBytes(self) - allocStart;
            long allocSamples = (long) (scrapes - scrapes / 2) * series;
            labels = null;
            refs = null;
            long heap = usedAfterGc(mem) - baseline;
            long rss = residentBytes();
            System.out.printf("series=%d samples=%d heap/series=%.0f B rss=%.1f MiB rss/series=%.0f B;"
                    + " cpu: %.2f us per new series, %.2f us per sample of known series;"
                    + " appending thread allocated %.1f B per sample (second half)%n", series, samples,
                    (double) heap / series, rss / 1048576.0, (double) rss / series,
                    firstScrapeCpu / 1000.0 / series, (cpu - firstScrapeCpu) / 1000.0 / (samples - series),
                    (double) allocated / allocSamples);
            Thread.sleep(pauseSeconds * 1000L);
            long end = t0 + scrapes * 5000L;
            query(db, end - 3_600_000L, end, Matcher.equal("__name__", "bench_metric_1"));
            query(db, end - 3_600_000L, end, Matcher.of(Matcher.Type.REGEX, "instance", "target-1.*"),
                    Matcher.of(Matcher.Type.NOT_EQUAL, "code", "500"));
            query(db, end - 300_000L, end, Matcher.equal("__name__", "bench_metric_7"));
            db.compact();
        }
        long bytes;
        try (Stream<Path> files = Files.walk(dir)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("disk after compaction and close=%d B, %.2f B/sample%n", bytes, (double) bytes / samples);
    }

    /** Selects and decodes every matching sample; prints the series, samples and the best of 5 runs. */
    private static void query(Tsdb db, long mint, long maxt, Matcher... matchers) {
        long best = Long.MAX_VALUE;
        long seriesCount = 0;
        long sampleCount = 0;
        for (int run = 0; run < 5; run++) {
            long start = System.nanoTime();
            seriesCount = 0;
            sampleCount = 0;
            try (Querier q = db.querier(mint, maxt)) {
                SeriesSet set = q.select(List.of(matchers));
                while (set.next()) {
                    seriesCount++;
                    SampleIterator it = set.at().iterator();
                    while (it.next()) {
                        sampleCount++;
                    }
                }
            }
            best = Math.min(best, System.nanoTime() - start);
        }
        System.out.printf("query %s over %d s: %d series, %d samples, %.1f ms%n", List.of(matchers),
                (maxt - mint) / 1000, seriesCount, sampleCount, best / 1e6);
    }

    /** The process's resident set (VmRSS), or 0 where /proc is not available. */
    static long residentBytes() throws java.io.IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }

    private static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
