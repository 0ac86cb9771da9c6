package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.promql.Engine;
import io.promlite.promql.EngineOptions;
import io.promlite.promql.value.Matrix;
import io.promlite.promql.value.SeriesPoints;
import io.promlite.promql.value.Value;
import io.promlite.promql.value.Vector;
import io.promlite.scraper.textparse.EntryType;
import io.promlite.scraper.textparse.TextParser;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbOptions;
import io.promlite.tsdb.model.Labels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every query of the provisioned Grafana dashboard parses and evaluates in promlite's engine, over
 * a real store holding ten minutes of data shaped like the demo stack's scrapes, and returns data.
 */
class DashboardQueriesTest {
    private static final long T0 = 1_763_712_000_000L;
    private static final long INTERVAL = 15_000;
    private static final int SCRAPES = 41;
    private static final String[] ACCESSLOG_HOSTS = {"3f2a9c1d7b21", "9e4b0d6c2a55", "c81f5e2b9d03"};

    @TempDir
    static Path tmp;
    private static Tsdb tsdb;
    private static Engine engine;

    @BeforeAll
    static void ingestTheStack() throws Exception {
        tsdb = Tsdb.open(TsdbOptions.defaults(tmp.resolve("data")));
        engine = new Engine(tsdb, EngineOptions.defaults());
        for (int i = 0; i < SCRAPES; i++) {
            long t = T0 + i * INTERVAL;
            Appender app = tsdb.appender();
            scrape(app, t, Map.of("job", "image-gallery", "instance", "image-gallery:8080", "env", "demo"),
                    gallery(i) + process(i, 24e6));
            for (int r = 0; r < ACCESSLOG_HOSTS.length; r++) {
                scrape(app, t, Map.of("job", "accesslog", "instance", "172.18.0." + (5 + r) + ":8000"),
                        accessLog(ACCESSLOG_HOSTS[r], i * (5 + r)) + process(i, 20e6));
            }
            scrape(app, t, Map.of("job", "node", "instance", "node-exporter:9100"), node(i));
            scrape(app, t, Map.of("job", "promlite", "instance", "localhost:9090"), process(i, 180e6));
            app.commit();
        }
    }

    @AfterAll
    static void close() {
        tsdb.close();
    }

    /** One scrape as the scrape loop stores it: the body parsed, target labels added, up and duration. */
    private static void scrape(Appender app, long t, Map<String, String> target, String body) throws Exception {
        TextParser parser = new TextParser(TextParser.Format.PROMETHEUS_0_0_4, body.getBytes(StandardCharsets.UTF_8));
        EntryType entry;
        while ((entry = parser.next()) != EntryType.EOF) {
            if (entry == EntryType.SERIES) {
                Labels.Builder b = parser.labels().toBuilder();
                target.forEach(b::set);
                app.append(0, b.build(), t, parser.value());
            }
        }
        for (var report : Map.of("up", 1.0, "scrape_duration_seconds", 0.004).entrySet()) {
            Labels.Builder b = Labels.builder().set(Labels.METRIC_NAME, report.getKey());
            target.forEach(b::set);
            app.append(0, b.build(), t, report.getValue());
        }
    }

    private static String gallery(int i) {
        long ok = 40L * i;
        long failed = 2L * i;
        long n = ok + failed;
        double[] le = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
        double[] share = {0, 0.01, 0.1, 0.45, 0.8, 0.95, 0.98, 0.995, 1, 1, 1};
        StringBuilder sb = new StringBuilder("""
                # TYPE image_gallery_requests_total counter
                image_gallery_requests_total{code="200",method="GET"} %d
                image_gallery_requests_total{code="500",method="GET"} %d
                # TYPE image_gallery_in_flight_requests gauge
                image_gallery_in_flight_requests %d
                # TYPE image_gallery_request_duration_seconds histogram
                """.formatted(ok, failed, i % 4));
        for (int b = 0; b < le.length; b++) {
            sb.append("image_gallery_request_duration_seconds_bucket{le=\"").append(le[b]).append("\"} ")
                    .append(Math.round(n * share[b])).append('\n');
        }
        return sb.append("image_gallery_request_duration_seconds_bucket{le=\"+Inf\"} ").append(n).append('\n')
                .append("image_gallery_request_duration_seconds_sum ").append(n * 0.06).append('\n')
                .append("image_gallery_request_duration_seconds_count ").append(n).append('\n').toString();
    }

    private static String accessLog(String hostname, long lines) {
        return "# TYPE access_log_total counter\naccess_log_total{hostname=\"" + hostname + "\"} " + lines + "\n";
    }

    private static String process(int i, double rss) {
        return """
                # TYPE process_cpu_seconds_total counter
                process_cpu_seconds_total %s
                # TYPE process_resident_memory_bytes gauge
                process_resident_memory_bytes %s
                """.formatted(i * 0.3, rss + i * 1e5);
    }

    private static String node(int i) {
        double s = i * 15.0;
        StringBuilder sb = new StringBuilder("# TYPE node_cpu_seconds_total counter\n");
        for (int cpu = 0; cpu < 2; cpu++) {
            for (var mode : Map.of("idle", 0.7, "user", 0.2, "system", 0.08, "iowait", 0.02).entrySet()) {
                sb.append("node_cpu_seconds_total{cpu=\"%d\",mode=\"%s\"} %s\n".formatted(cpu, mode.getKey(),
                        s * mode.getValue()));
            }
        }
        return sb.append("""
                node_memory_MemAvailable_bytes %s
                node_memory_MemTotal_bytes 8.3e9
                node_load1 0.42
                node_load5 0.35
                node_load15 0.3
                node_network_receive_bytes_total{device="eth0"} %s
                node_network_receive_bytes_total{device="lo"} %s
                node_network_transmit_bytes_total{device="eth0"} %s
                node_network_transmit_bytes_total{device="lo"} %s
                node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 4.1e10
                node_filesystem_size_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 1.0e11
                node_filesystem_avail_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 8.0e8
                node_filesystem_size_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 8.3e8
                """.formatted(5.1e9 - i * 1e6, s * 2e4, s * 1e3, s * 1e4, s * 1e3)).toString();
    }

    @Test
    void everyDashboardQueryEvaluatesToData() {
        List<String> queries = StackFiles.dashboardQueries(StackFiles.json("grafana/dashboards/golden-signals.json"));
        assertTrue(queries.size() >= 10, "the dashboard has queries: " + queries);
        long end = T0 + (SCRAPES - 1) * INTERVAL;
        for (String query : queries) {
            String sent = StackFiles.asGrafanaSendsIt(query);
            Value result;
            try {
                result = engine.range(sent, end - 5 * 60_000, end, INTERVAL);
            } catch (RuntimeException e) {
                throw new AssertionError("dashboard query " + sent + " fails: " + e.getMessage(), e);
            }
            List<SeriesPoints> series = ((Matrix) result).series();
            assertFalse(series.isEmpty(), "dashboard query " + sent + " returns no series over the stack's data");
            assertTrue(series.stream().anyMatch(s -> s.count() > 0 && !Double.isNaN(s.values()[s.count() - 1])),
                    "dashboard query " + sent + " ends with a number");
        }
    }

    @Test
    void dashboardCarriesTheSeedQueriesAndTheirTotals() {
        List<String> queries = StackFiles.dashboardQueries(StackFiles.json("grafana/dashboards/golden-signals.json"));
        String seed = "sum(image_gallery_requests_total{code=\"200\"}) without(instance)";
        assertTrue(queries.contains(seed), "the seed's query is on the dashboard: " + queries);
        Vector v = (Vector) engine.instant(seed, T0 + (SCRAPES - 1) * INTERVAL);
        assertEquals(1, v.samples().size(), v.toString());
        assertEquals(40.0 * (SCRAPES - 1), v.samples().get(0).value());
        assertEquals(Labels.of("code", "200", "env", "demo", "job", "image-gallery", "method", "GET"),
                v.samples().get(0).metric());
    }

    @Test
    void everyGoldenSignalIsCharted() {
        String all = String.join("\n",
                StackFiles.dashboardQueries(StackFiles.json("grafana/dashboards/golden-signals.json")));
        for (String signal : List.of("rate(image_gallery_requests_total", "code=~\"5..\"",
                "image_gallery_in_flight_requests", "histogram_quantile(0.99, sum by (le) (rate("
                        + "image_gallery_request_duration_seconds_bucket", "process_resident_memory_bytes",
                "node_memory_MemAvailable_bytes", "node_cpu_seconds_total", "access_log_total")) {
            assertTrue(all.contains(signal), signal + " is charted");
        }
    }
}
