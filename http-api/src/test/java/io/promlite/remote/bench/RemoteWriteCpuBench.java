package io.promlite.remote.bench;

import com.sun.net.httpserver.HttpServer;
import io.promlite.config.ConfigLoader;
import io.promlite.remote.RemoteWriteManager;
import io.promlite.remote.wire.SnappyEncoder;
import io.promlite.remote.wire.WriteRequestEncoder;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.LogCursor;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbOptions;
import io.promlite.tsdb.model.Labels;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CPU and allocation the forwarding path spends per sample, measured per thread (thread CPU
 * time and allocated bytes, which the machine's load barely moves), over a real store:
 *
 * <ol>
 *   <li>{@code pipeline}: on this thread, reading the commit log through a {@link LogCursor},
 *       looking up a read's labels in the store at once (as a queue does), protobuf-encoding
 *       requests of {@code max_samples_per_send} samples and snappy-compressing them: the work a queue does per
 *       sample before HTTP, without thread hand-offs.</li>
 *   <li>{@code queue}: a {@link RemoteWriteManager} queue forwarding the same log to a receiver
 *       that discards requests; counts the CPU and allocation of the queue's reader and of the
 *       event loop whose shard encodes, compresses and sends, per sample sent.</li>
 * </ol>
 *
 * <p>Run from the project root (the bench prints each of 4 rounds; the first warms up):
 * <pre>
 * mvn -q -B -pl http-api -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
 *   -Dmdep.outputFile=/tmp/cp.txt
 * java -cp "http-api/target/test-classes:http-api/target/classes:$(cat /tmp/cp.txt)" \
 *   io.promlite.remote.bench.RemoteWriteCpuBench 10000 30
 * </pre>
 * Arguments: series (default 10000), scrapes per round (default 30).
 */
public final class RemoteWriteCpuBench {
    private static final int MAX_SAMPLES_PER_SEND = 2000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private RemoteWriteCpuBench() {
    }

    public static void main(String[] args) throws Exception {
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int scrapes = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Path dir = Files.createTempDirectory("promlite-rw-bench");
        PrometheusRegistry registry = new PrometheusRegistry();
        try (Tsdb tsdb = Tsdb.open(new TsdbOptions(dir, TsdbOptions.DEFAULT_RETENTION, 0, registry))) {
            LogCursor cursor = tsdb.logCursor("bench");
            RemoteWriteManager manager = new RemoteWriteManager(tsdb, registry, "promlite/bench", Map::of);
            HttpServer receiver = discardingReceiver();
            try {
                // The queue's cursor exists before the samples, so it reads them all.
                manager.apply(ConfigLoader.parse("""
                        global: { external_labels: { replica: r1 } }
                        remote_write:
                          - url: "http://127.0.0.1:%d/api/v1/write"
                            name: bench
                            # One shard throughout, on one event loop: the figures do not move with resharding.
                            queue_config: { min_shards: 1, max_shards: 1 }
                        """.formatted(receiver.getAddress().getPort()), "bench.yml"));
                long perRound = (long) series * scrapes;
                Pipeline pipeline = new Pipeline(cursor);
                // The first round warms up the JIT and fills the label caches: steady state is what counts.
                for (int round = 0; round < 4; round++) {
                    long[][] before = forwardingThreads();
                    long start = System.nanoTime();
                    commit(tsdb, series, scrapes, round);
                    while (sent(registry) < perRound * (round + 1)) {
                        Thread.sleep(5);
                    }
                    long wall = System.nanoTime() - start;
                    System.out.printf("round %d queue:    %d samples in %.1fs: %s%n", round, perRound, wall / 1e9,
                            perSample(before, forwardingThreads(), perRound));
                    pipeline.run(round);
                }
            } finally {
                manager.close();
                receiver.stop(0);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Series labelled like scraped ones (about 110 bytes each on the wire). */
    private static void commit(Tsdb tsdb, int series, int scrapes, int round) throws Exception {
        Labels[] labels = new Labels[series];
        for (int s = 0; s < series; s++) {
            labels[s] = Labels.of("__name__", "bench_requests_total_" + (s % 100), "code", "200",
                    "handler", "/api/v1/h" + (s / 100 % 10), "instance", "127.0.0.1:" + (22000 + s / 1000),
                    "job", "bench", "shard", "s" + s);
        }
        long t0 = System.currentTimeMillis() - (4 - round) * scrapes * 5_000L;
        for (int k = 0; k < scrapes; k++) {
            for (int from = 0; from < series; from += 1000) {
                Appender app = tsdb.appender();
                for (int s = from; s < Math.min(series, from + 1000); s++) {
                    app.append(0, labels[s], t0 + k * 5_000L, k * 1.5 + s);
                }
                app.commit();
            }
        }
    }

    private static final class Pipeline {
        final WriteRequestEncoder encoder = new WriteRequestEncoder(Map.of("replica", "r1"));
        final SnappyEncoder snappy = new SnappyEncoder();
        final LogCursor cursor;
        // One read's samples, as the queue stages them before looking their labels up at once.
        final long[] ids = new long[MAX_SAMPLES_PER_SEND * 2];
        final long[] timestamps = new long[MAX_SAMPLES_PER_SEND * 2];
        final double[] values = new double[MAX_SAMPLES_PER_SEND * 2];
        final byte[][] labels = new byte[MAX_SAMPLES_PER_SEND * 2][];
        byte[] storedLabels = new byte[256];
        int staged;
        int inBatch;
        long compressed;
        long uncompressed;
        long snappyNanos;

        Pipeline(LogCursor cursor) {
            this.cursor = cursor;
        }

        void accept(long id, long t, long bits) {
            ids[staged] = id;
            timestamps[staged] = t;
            values[staged] = Double.longBitsToDouble(bits);
            staged++;
        }

        /** Encodes the staged samples, their labels read from the store and expanded as a queue's shard does. */
        void encodeStaged() {
            cursor.labelRefs(ids, staged, labels);
            for (int i = 0; i < staged; i++) {
                int length = LogCursor.storedLabelsLength(labels[i]);
                if (length > storedLabels.length) {
                    storedLabels = new byte[Math.max(length, 2 * storedLabels.length)];
                }
                LogCursor.writeStoredLabels(labels[i], storedLabels, 0);
                encoder.series(storedLabels, length, timestamps, values, i, 1);
                if (++inBatch == MAX_SAMPLES_PER_SEND) {
                    flush();
                }
            }
            staged = 0;
        }

        /** Reads what the log holds past the cursor, which the previous round left at the end. */
        void run(int round) {
            long thread = Thread.currentThread().getId();
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long alloc0 = THREADS.getThreadAllocatedBytes(thread);
            long bytes0 = compressed;
            long raw0 = uncompressed;
            long snappy0 = snappyNanos;
            long n = 0;
            int read;
            while ((read = cursor.read(MAX_SAMPLES_PER_SEND, this::accept)) > 0) {
                encodeStaged();
                n += read;
            }
            flush();
            long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
            long alloc = THREADS.getThreadAllocatedBytes(thread) - alloc0;
            System.out.printf("round %d pipeline: %d samples: %.0f ns CPU/sample (snappy %.0f ns), "
                    + "%.1f B allocated/sample, %.1f B/sample encoded, %.1f B/sample compressed%n", round, n,
                    (double) cpu / n, (double) (snappyNanos - snappy0) / n, (double) alloc / n,
                    (double) (uncompressed - raw0) / n, (double) (compressed - bytes0) / n);
        }

        void flush() {
            long start = System.nanoTime();
            snappy.encode(encoder.buffer(), encoder.length());
            snappyNanos += System.nanoTime() - start;
            compressed += snappy.length();
            uncompressed += encoder.length();
            encoder.reset();
            inBatch = 0;
        }
    }

    /** Thread groups whose CPU and allocation the queue round counts. */
    private static final String[] GROUPS = {"promlite-remote-bench-reader", "promlite-remote-bench-io"};

    /** Per group of {@link #GROUPS}: CPU nanoseconds and allocated bytes so far. */
    private static long[][] forwardingThreads() {
        long[][] sums = new long[GROUPS.length][2];
        for (var info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            for (int g = 0; g < GROUPS.length; g++) {
                if (info != null && info.getThreadName().startsWith(GROUPS[g])) {
                    sums[g][0] += Math.max(0, THREADS.getThreadCpuTime(info.getThreadId()));
                    sums[g][1] += Math.max(0, THREADS.getThreadAllocatedBytes(info.getThreadId()));
                }
            }
        }
        return sums;
    }

    private static String perSample(long[][] before, long[][] after, long n) {
        StringBuilder b = new StringBuilder();
        long cpu = 0;
        long alloc = 0;
        for (int g = 0; g < GROUPS.length; g++) {
            cpu += after[g][0] - before[g][0];
            alloc += after[g][1] - before[g][1];
        }
        b.append(String.format("%.0f ns CPU/sample, %.1f B allocated/sample (", (double) cpu / n, (double) alloc / n));
        for (int g = 0; g < GROUPS.length; g++) {
            b.append(g == 0 ? "" : ", ").append(GROUPS[g].replace("promlite-remote-bench-", ""))
                    .append(String.format(" %.0f ns %.1f B", (double) (after[g][0] - before[g][0]) / n,
                            (double) (after[g][1] - before[g][1]) / n));
        }
        return b.append(')').toString();
    }

    private static double sent(PrometheusRegistry registry) {
        for (MetricSnapshot m : registry.scrape()) {
            if (m.getMetadata().getPrometheusName().equals("promlite_remote_storage_samples")) {
                return m.getDataPoints().stream()
                        .mapToDouble(p -> ((CounterSnapshot.CounterDataPointSnapshot) p).getValue()).sum();
            }
        }
        return 0;
    }

    private static HttpServer discardingReceiver() throws java.io.IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/write", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return server;
    }
}
