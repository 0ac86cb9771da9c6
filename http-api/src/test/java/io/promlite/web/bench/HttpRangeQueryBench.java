package io.promlite.web.bench;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promlite.promql.EngineOptions;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbOptions;
import io.promlite.tsdb.model.Labels;
import io.promlite.web.HttpServer;
import io.promlite.web.ListenAddress;
import io.promlite.web.RequestMetrics;
import io.promlite.web.Router;
import io.promlite.web.ServerOptions;
import io.promlite.web.api.ApiHandler;
import io.promlite.web.api.QueryApi;
import io.promlite.web.api.QueryMetrics;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Range queries through the whole HTTP path (engine, JSON writer, Netty, a client reading the
 * body over a real socket), for the matrix-heavy dashboard queries whose time goes mostly to the
 * response rather than the evaluation (not run by the build):
 * {@code java -cp … io.promlite.web.bench.HttpRangeQueryBench [targets] [reps] [query part]}. Prints per query
 * the median wall time, the response size, the CPU time of the server's threads and the bytes
 * all threads allocated per query (the last two barely depend on the machine's load).
 */
public final class HttpRangeQueryBench {
    /** The queries of the live-ingest bench that return many points or select few series. */
    private static final List<String> QUERIES = List.of(
            "rate(node_cpu_seconds_total{mode=\"user\"}[1m])",
            "node_filesystem_avail_bytes{fstype=~\"ext4|xfs\", mountpoint=~\"/data.*\"}",
            "up",
            "avg_over_time(node_load1[5m])",
            "count by (job) (up == 1)",
            "topk(5, rate(node_network_transmit_bytes_total[1m]))",
            "sum by (instance) (increase(node_disk_read_bytes_total[5m]))");

    private HttpRangeQueryBench() {
    }

    private static List<Labels> target(int i) {
        String instance = "127.0.0.1:" + (19000 + i);
        String job = "job-" + (i % 4);
        List<Labels> out = new ArrayList<>();
        out.add(Labels.of("__name__", "up", "instance", instance, "job", job));
        out.add(Labels.of("__name__", "node_load1", "instance", instance, "job", job));
        for (String dev : new String[] {"lo", "eth0", "eth1", "docker0"}) {
            out.add(Labels.of("__name__", "node_network_transmit_bytes_total", "device", dev, "instance", instance,
                    "job", job));
        }
        for (String dev : new String[] {"sda", "sdb", "nvme0n1"}) {
            out.add(Labels.of("__name__", "node_disk_read_bytes_total", "device", dev, "instance", instance, "job", job));
        }
        for (int cpu = 0; cpu < 8; cpu++) {
            for (String mode : new String[] {"idle", "user", "system", "iowait"}) {
                out.add(Labels.of("__name__", "node_cpu_seconds_total", "cpu", String.valueOf(cpu), "instance",
                        instance, "job", job, "mode", mode));
            }
        }
        String[][] fs = {{"/", "ext4"}, {"/data", "xfs"}, {"/data2", "ext4"}, {"/data3", "xfs"}, {"/boot", "vfat"},
                {"/data4", "ext4"}, {"/data5", "ext4"}, {"/run", "tmpfs"}};
        for (String[] f : fs) {
            out.add(Labels.of("__name__", "node_filesystem_avail_bytes", "device", "/dev/sd" + f[0].length(),
                    "fstype", f[1], "instance", instance, "job", job, "mountpoint", f[0]));
        }
        return out;
    }

    /** Values shaped like a node exporter's: CPU seconds in hundredths, byte counts, up = 1. */
    private static double value(Labels labels, int s, int t) {
        return switch (labels.get("__name__")) {
            case "node_cpu_seconds_total" -> (1_000_000L * s + t * (37L + s % 11) * 15) / 100.0;
            case "node_filesystem_avail_bytes" -> (1L << 30) * (10 + s % 2000) - 4096L * ((t * 7919L + s) % 200);
            case "node_load1" -> (t * 37 + s) % 400 / 100.0;
            case "node_network_transmit_bytes_total", "node_disk_read_bytes_total" -> 1e6 * s + t * (4096.0 * (s % 13) + 17);
            default -> 1;
        };
    }

    public static void main(String[] args) throws Exception {
        int targets = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        String only = args.length > 2 ? args[2] : "";
        long interval = 15_000;
        List<Labels> series = new ArrayList<>();
        for (int i = 0; i < targets; i++) {
            series.addAll(target(i));
        }
        Path dir = Files.createTempDirectory("http-bench-tsdb");
        long now = System.currentTimeMillis();
        long ready = now - 300_000;
        int scrapes = 20;
        ExecutorService workers = Executors.newFixedThreadPool(2);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Tsdb tsdb = Tsdb.open(new TsdbOptions(dir, Duration.ofDays(15), 0, new PrometheusRegistry()))) {
            for (int t = 0; t < scrapes; t++) {
                Appender app = tsdb.appender();
                for (int s = 0; s < series.size(); s++) {
                    app.append(0, series.get(s), ready + 2_000 + t * interval, value(series.get(s), s, t));
                }
                app.commit();
            }
            PrometheusRegistry registry = new PrometheusRegistry();
            QueryApi api = new QueryApi(tsdb, EngineOptions.defaults(), Clock.systemUTC(), new QueryMetrics(registry, 20));
            Router router = new Router().getOrPost("/api/v1/query_range", ApiHandler.json(api::range));
            try (HttpServer http = HttpServer.start(ListenAddress.parse("127.0.0.1:0"), router, workers,
                    ServerOptions.defaults(), new RequestMetrics(registry))) {
                long end = ready + 2_000 + (scrapes - 1) * interval;
                for (String q : QUERIES.stream().filter(q -> q.contains(only)).toList()) {
                    String url = "http://127.0.0.1:" + http.port() + "/api/v1/query_range?query="
                            + URLEncoder.encode(q, StandardCharsets.UTF_8) + "&start=" + ready / 1000.0 + "&end="
                            + end / 1000.0 + "&step=15";
                    for (int i = 0; i < 5; i++) {
                        fetch(url);
                    }
                    long[] times = new long[reps];
                    long size = 0;
                    long alloc0 = allocated(threads);
                    long cpu0 = serverCpuNanos(threads);
                    for (int i = 0; i < reps; i++) {
                        long t0 = System.nanoTime();
                        size = fetch(url);
                        times[i] = System.nanoTime() - t0;
                    }
                    long alloc = (allocated(threads) - alloc0) / reps;
                    double cpu = (serverCpuNanos(threads) - cpu0) / 1e6 / reps;
                    Arrays.sort(times);
                    System.out.printf("%8.3f ms (min %.3f) %7.3f ms server CPU %8d B body %9d B allocated  %s%n",
                            times[reps / 2] / 1e6, times[0] / 1e6, cpu, size, alloc, q);
                }
            }
        } finally {
            workers.shutdownNow();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long allocated(com.sun.management.ThreadMXBean threads) {
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            sum += Math.max(0, threads.getThreadAllocatedBytes(id));
        }
        return sum;
    }

    /** CPU time of every thread but this one, the client's. */
    private static long serverCpuNanos(com.sun.management.ThreadMXBean threads) {
        long self = Thread.currentThread().getId();
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            if (id != self) {
                sum += Math.max(0, threads.getThreadCpuTime(id));
            }
        }
        return sum;
    }

    private static long fetch(String url) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        byte[] buf = new byte[64 << 10];
        long n = 0;
        try (InputStream in = c.getInputStream()) {
            for (int r; (r = in.read(buf)) > 0; ) {
                n += r;
            }
        }
        if (c.getResponseCode() != 200) {
            throw new IllegalStateException("status " + c.getResponseCode());
        }
        return n;
    }
}
