package io.promlite.scraper.bench;

import io.promlite.scraper.textparse.EntryType;
import io.promlite.scraper.textparse.TextParseException;
import io.promlite.scraper.textparse.TextParser;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Exposition parser throughput on a realistic ~1 MB body (node-exporter-like families with 0–4
 * labels, counters, gauges and an HTTP latency histogram), in both text formats. Not a test: run
 * it by hand from the repository root:
 * <pre>
 * mvn -q -pl scraper-core -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp "$(cat /tmp/cp.txt):scraper-core/target/classes:scraper-core/target/test-classes" \
 *     io.promlite.scraper.bench.ParserBench [seconds=5]
 * </pre>
 * Three passes per format: <i>known</i> reads what a scrape of already-cached series reads (the raw
 * series range, value, timestamp); <i>expected</i> the same, the parser told before each line
 * which series comes next, as the scrape loop does from its cache; <i>new</i> also builds every
 * line's labels, as the first scrape of a target does. Single-threaded; figures are the best of
 * five rounds.
 */
public final class ParserBench {
    private static final int TARGET_BYTES = 1 << 20;

    private enum Pass {
        KNOWN, EXPECTED, NEW
    }

    private ParserBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        for (TextParser.Format format : TextParser.Format.values()) {
            byte[] body = body(format == TextParser.Format.OPENMETRICS_1_0);
            int[] series = seriesBounds(format, body);
            for (Pass pass : Pass.values()) {
                run(format, body, series, pass, seconds);
            }
        }
    }

    private static void run(TextParser.Format format, byte[] body, int[] series, Pass pass, int seconds)
            throws TextParseException {
        int lines = series.length / 2;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        // Warm-up: the JIT compiles the parser within the first few hundred bodies.
        long warmEnd = System.nanoTime() + seconds * 1_000_000_000L / 2;
        while (System.nanoTime() < warmEnd) {
            sink += parse(format, body, series, pass);
        }
        double best = Double.MAX_VALUE;
        long bytesAllocated = 0;
        int bodies = 0;
        for (int round = 0; round < 5; round++) {
            long roundEnd = System.nanoTime() + seconds * 1_000_000_000L / 5;
            long alloc0 = threads.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            int n = 0;
            long t1;
            do {
                sink += parse(format, body, series, pass);
                n++;
                t1 = System.nanoTime();
            } while (t1 < roundEnd);
            bytesAllocated += threads.getCurrentThreadAllocatedBytes() - alloc0;
            bodies += n;
            best = Math.min(best, (double) (t1 - t0) / n);
        }
        System.out.printf(Locale.ROOT, "%-16s %-8s %8d B %6d sample lines: %7.1f ns/line %8.1f MB/s %8.1f B allocated/line (%d)%n",
                format, pass.name().toLowerCase(Locale.ROOT), body.length, lines, best / lines, body.length / best * 1e3,
                (double) bytesAllocated / bodies / lines, sink & 1);
    }

    /** Parses one body; returns something derived from every sample so the JIT cannot drop the work. */
    private static long parse(TextParser.Format format, byte[] body, int[] series, Pass pass) throws TextParseException {
        TextParser p = new TextParser(format, body);
        long acc = 0;
        int line = 0;
        for (EntryType t = next(p, series, line, pass); t != EntryType.EOF; t = next(p, series, line, pass)) {
            if (t == EntryType.SERIES) {
                line++;
                acc += p.seriesEnd() - p.seriesStart() + Double.doubleToRawLongBits(p.value());
                if (p.hasTimestamp()) {
                    acc += p.timestampMs();
                }
                if (pass == Pass.NEW) {
                    acc += p.labels().size();
                }
            }
        }
        return acc;
    }

    /** The next entry; in the expected pass, the parser is first told the series of sample line {@code line}. */
    private static EntryType next(TextParser p, int[] series, int line, Pass pass) throws TextParseException {
        if (pass == Pass.EXPECTED && 2 * line < series.length) {
            p.expectSeries(p.buffer(), series[2 * line], series[2 * line + 1]);
        }
        return p.next();
    }

    /** Start and end of every sample line's series text, in pairs. */
    private static int[] seriesBounds(TextParser.Format format, byte[] body) throws TextParseException {
        TextParser p = new TextParser(format, body);
        int[] bounds = new int[64];
        int n = 0;
        for (EntryType t = p.next(); t != EntryType.EOF; t = p.next()) {
            if (t == EntryType.SERIES) {
                if (n == bounds.length) {
                    bounds = Arrays.copyOf(bounds, 2 * n);
                }
                bounds[n++] = p.seriesStart();
                bounds[n++] = p.seriesEnd();
            }
        }
        return Arrays.copyOf(bounds, n);
    }

    /** Families shaped like node_exporter's and an instrumented HTTP server's, repeated to ~1 MB. */
    public static byte[] body(boolean openMetrics) {
        Random random = new Random(42);
        StringBuilder sb = new StringBuilder(TARGET_BYTES + 4096);
        String[] modes = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
        String[] devices = {"eth0", "eth1", "lo", "docker0"};
        String[] handlers = {"/api/v1/query", "/api/v1/query_range", "/api/v1/series", "/api/v1/labels", "/metrics"};
        String[] buckets = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};
        for (int host = 0; sb.length() < TARGET_BYTES; host++) {
            String family = "node_cpu_seconds" + (host == 0 ? "" : "_" + host);
            header(sb, family, "counter", "Seconds the CPUs spent in each mode.", openMetrics);
            for (int cpu = 0; cpu < 8; cpu++) {
                for (String mode : modes) {
                    sb.append(family).append("_total{cpu=\"").append(cpu).append("\",mode=\"").append(mode).append("\"} ")
                            .append(String.format(Locale.ROOT, "%.2f", random.nextDouble() * 1e6)).append('\n');
                }
            }
            family = "node_network_receive_bytes" + (host == 0 ? "" : "_" + host);
            header(sb, family, "counter", "Network device statistic receive_bytes.", openMetrics);
            for (String device : devices) {
                sb.append(family).append("_total{device=\"").append(device).append("\"} ")
                        .append(String.format(Locale.ROOT, "%.6e", random.nextDouble() * 1e12)).append('\n');
            }
            family = "node_filesystem_avail_bytes" + (host == 0 ? "" : "_" + host);
            header(sb, family, "gauge", "Filesystem space available to non-root users in bytes.", openMetrics);
            for (int fs = 0; fs < 6; fs++) {
                sb.append(family).append("{device=\"/dev/sda").append(fs).append("\",fstype=\"ext4\",mountpoint=\"/data/")
                        .append(fs).append("\"} ").append(random.nextInt(1 << 30) * 4096L).append('\n');
            }
            family = "node_load1" + (host == 0 ? "" : "_" + host);
            header(sb, family, "gauge", "1m load average.", openMetrics);
            sb.append(family).append(' ').append(String.format(Locale.ROOT, "%.2f", random.nextDouble() * 4)).append('\n');
            family = "http_request_duration_seconds" + (host == 0 ? "" : "_" + host);
            header(sb, family, "histogram", "Latency of HTTP requests.", openMetrics);
            for (String handler : handlers) {
                long count = 0;
                for (String le : buckets) {
                    count += random.nextInt(1000);
                    sb.append(family).append("_bucket{handler=\"").append(handler).append("\",method=\"GET\",code=\"200\",le=\"")
                            .append(le).append("\"} ").append(count).append('\n');
                }
                sb.append(family).append("_sum{handler=\"").append(handler).append("\",method=\"GET\",code=\"200\"} ")
                        .append(String.format(Locale.ROOT, "%.3f", count * 0.02)).append('\n');
                sb.append(family).append("_count{handler=\"").append(handler).append("\",method=\"GET\",code=\"200\"} ")
                        .append(count).append('\n');
            }
        }
        if (openMetrics) {
            sb.append("# EOF\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void header(StringBuilder sb, String family, String type, String help, boolean openMetrics) {
        // Prometheus text names a counter's family with its _total suffix; OpenMetrics without.
        String name = type.equals("counter") && !openMetrics ? family + "_total" : family;
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
}
