package io.promlite.promql.bench;

import io.promlite.promql.Engine;
import io.promlite.promql.EngineOptions;
import io.promlite.promql.script.TestStorages;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Storage;
import io.promlite.tsdb.model.Labels;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Range queries over a store that was just started and fed a few minutes of scrapes, the
 * situation of a dashboard on a freshly started server (not run by the build):
 * {@code java -cp … io.promlite.promql.bench.LiveQueryBench [targets] [minutes] [reps] [query]}: the
 * last argument picks the set's queries containing it, or is run itself when none does.
 * The window starts before the series' first samples, as a dashboard's does. Prints per query
 * the median wall time, the bytes the query thread allocated, and (run with
 * {@code -XX:+UseSerialGC}, as the server is) the bytes young collections promoted to the old
 * generation: what a query still holds when a collection comes, which the server later pays for
 * in full collections. Both byte counts are load-independent.
 */
public final class LiveQueryBench {
    private static final List<String> QUERIES = List.of(
            "rate(node_cpu_seconds_total{mode=\"user\"}[1m])",
            "sum by (job) (rate(node_cpu_seconds_total[1m]))",
            "1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[1m]))",
            "sum by (instance) (rate(node_network_receive_bytes_total{device!=\"lo\"}[1m]))",
            "topk(5, rate(node_network_transmit_bytes_total[1m]))",
            "histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[1m])))",
            "histogram_quantile(0.99, sum by (job, handler, le) (rate(http_request_duration_seconds_bucket[1m])))",
            "sum by (job) (rate(http_requests_total{code=~\"5..\"}[1m])) / sum by (job) (rate(http_requests_total[1m]))",
            "avg_over_time(node_load1[5m])",
            "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes",
            "node_filesystem_avail_bytes{fstype=~\"ext4|xfs\", mountpoint=~\"/data.*\"}",
            "sum by (instance) (increase(node_disk_read_bytes_total[5m]))",
            "sum without (cpu) (rate(node_cpu_seconds_total{instance=~\"127.0.0.1:193[0-4].*|farm-000.*\"}[1m]))",
            "max_over_time(node_scrape_collector_duration_seconds{collector=~\"cpu|disk.*\"}[5m])",
            "up",
            "count by (job) (up == 1)",
            "count({__name__=~\".+\"})");

    private LiveQueryBench() {
    }

    /** The series of one target: a node-exporter-like mix of the metrics the queries read. */
    private static List<Labels> target(int i) {
        String instance = "farm-" + String.format("%03d", i);
        String job = "job-" + (i % 4);
        List<Labels> out = new ArrayList<>();
        out.add(Labels.of("__name__", "up", "instance", instance, "job", job));
        out.add(Labels.of("__name__", "node_load1", "instance", instance, "job", job));
        out.add(Labels.of("__name__", "node_memory_MemAvailable_bytes", "instance", instance, "job", job));
        out.add(Labels.of("__name__", "node_memory_MemTotal_bytes", "instance", instance, "job", job));
        String[] modes = {"idle", "user", "system", "iowait", "irq", "nice", "softirq", "steal"};
        for (int cpu = 0; cpu < 8; cpu++) {
            for (String mode : modes) {
                out.add(Labels.of("__name__", "node_cpu_seconds_total", "cpu", String.valueOf(cpu), "instance", instance,
                        "job", job, "mode", mode));
            }
        }
        for (String dev : new String[] {"lo", "eth0", "eth1", "docker0"}) {
            out.add(Labels.of("__name__", "node_network_receive_bytes_total", "device", dev, "instance", instance, "job", job));
            out.add(Labels.of("__name__", "node_network_transmit_bytes_total", "device", dev, "instance", instance, "job", job));
        }
        for (String dev : new String[] {"sda", "sdb", "nvme0n1"}) {
            out.add(Labels.of("__name__", "node_disk_read_bytes_total", "device", dev, "instance", instance, "job", job));
        }
        String[][] fs = {{"/", "ext4"}, {"/data", "xfs"}, {"/data2", "ext4"}, {"/boot", "vfat"}, {"/run", "tmpfs"}};
        for (String[] f : fs) {
            out.add(Labels.of("__name__", "node_filesystem_avail_bytes", "fstype", f[1], "instance", instance, "job", job,
                    "mountpoint", f[0]));
        }
        for (String c : new String[] {"cpu", "diskstats", "filesystem", "meminfo", "netdev", "loadavg"}) {
            out.add(Labels.of("__name__", "node_scrape_collector_duration_seconds", "collector", c, "instance", instance,
                    "job", job));
        }
        String[] les = {"0.005", "0.01", "0.05", "0.1", "0.5", "1", "5", "+Inf"};
        for (String handler : new String[] {"/api", "/metrics", "/login"}) {
            for (String le : les) {
                out.add(Labels.of("__name__", "http_request_duration_seconds_bucket", "handler", handler, "instance",
                        instance, "job", job, "le", le));
            }
            for (String code : new String[] {"200", "404", "500", "503"}) {
                out.add(Labels.of("__name__", "http_requests_total", "code", code, "handler", handler, "instance",
                        instance, "job", job));
            }
        }
        for (int k = 0; k < 250; k++) {
            out.add(Labels.of("__name__", "app_filler_total", "instance", instance, "job", job, "k", String.valueOf(k)));
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        int targets = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        String only = args.length > 3 ? args[3] : "";
        long interval = 15_000;
        List<Labels> series = new ArrayList<>();
        for (int i = 0; i < targets; i++) {
            series.addAll(target(i));
        }
        long ready = System.currentTimeMillis() - minutes * 60_000L;
        long first = ready + 2_000;
        int scrapes = (int) (minutes * 60_000L / interval);
        try (Storage storage = TestStorages.create()) {
            for (int t = 0; t < scrapes; t++) {
                Appender app = storage.appender();
                for (int s = 0; s < series.size(); s++) {
                    app.append(0, series.get(s), first + t * interval, t * (1 + s % 7));
                }
                app.commit();
            }
            long end = first + (scrapes - 1) * interval;
            System.out.printf("%d series x %d scrapes; window %d s, step 15 s%n", series.size(), scrapes,
                    (end - ready) / 1000);
            Engine engine = new Engine(storage, EngineOptions.defaults());
            AtomicLong promoted = countPromotedBytes();
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long self = Thread.currentThread().getId();
            double logSum = 0;
            List<String> matching = QUERIES.stream().filter(q -> q.contains(only)).toList();
            List<String> queries = matching.isEmpty() ? List.of(only) : matching;
            for (String q : queries) {
                for (int i = 0; i < 3; i++) {
                    engine.range(q, ready, end, interval);
                }
                long[] times = new long[reps];
                long bytes0 = threads.getThreadAllocatedBytes(self);
                long promoted0 = promoted.get();
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    engine.range(q, ready, end, interval);
                    times[i] = System.nanoTime() - t0;
                }
                long bytes = (threads.getThreadAllocatedBytes(self) - bytes0) / reps;
                long promotedPerQuery = (promoted.get() - promoted0) / reps;
                Arrays.sort(times);
                double ms = times[reps / 2] / 1e6;
                logSum += Math.log(ms);
                System.out.printf("%8.3f ms %9d B %9d B promoted  %s%n", ms, bytes, promotedPerQuery, q);
            }
            System.out.printf("geomean %.3f ms%n", Math.exp(logSum / queries.size()));
        }
    }

    /** Sums the growth of the serial collector's old generation over its young collections. */
    private static AtomicLong countPromotedBytes() {
        AtomicLong promoted = new AtomicLong();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!gc.getName().equals("Copy")) {
                continue;
            }
            ((NotificationEmitter) gc).addNotificationListener((n, handback) -> {
                GarbageCollectionNotificationInfo info =
                        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                MemoryUsage before = info.getGcInfo().getMemoryUsageBeforeGc().get("Tenured Gen");
                MemoryUsage after = info.getGcInfo().getMemoryUsageAfterGc().get("Tenured Gen");
                if (before != null && after != null) {
                    promoted.addAndGet(Math.max(0, after.getUsed() - before.getUsed()));
                }
            }, n -> n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION), null);
        }
        return promoted;
    }
}
