package io.promlite.scraper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.promlite.config.ConfigException;
import io.promlite.config.ConfigLoader;
import io.promlite.config.PromliteConfig;
import io.promlite.scraper.StoredSamples.Sample;
import io.promlite.tsdb.model.Labels;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrapeManagerTest {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private StoredSamples storage;
    private ScrapeManager manager;

    @BeforeEach
    void open(@TempDir Path dir) throws Exception {
        storage = new StoredSamples(dir);
        manager = new ScrapeManager(storage.tsdb, registry);
    }

    @AfterEach
    void close() {
        manager.close();
        storage.close();
    }

    static PromliteConfig config(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "test.yml");
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private Map<String, TargetStatus> statusByJob() {
        return manager.activeTargets().stream().collect(Collectors.toMap(TargetStatus::scrapePool, t -> t));
    }

    private static String job(String name, TestTarget target, String extra) {
        return "  - job_name: " + name + "\n"
                + "    scrape_interval: 400ms\n"
                + "    scrape_timeout: 400ms\n"
                + extra
                + "    static_configs:\n"
                + "      - targets: ['" + target.address() + "']\n"
                + "        labels: {env: test}\n";
    }

    @Test
    void scrapesTargetLabelsAndReportSeries() throws Exception {
        long ownTimestamp = System.currentTimeMillis() - 60_000;
        try (TestTarget target = new TestTarget().body("""
                # HELP http_requests_total Requests.
                # TYPE http_requests_total counter
                http_requests_total{code="200",job="exporter",instance="x"} 5
                temperature 21.5 %d
                """.formatted(ownTimestamp))) {
            manager.apply(config("scrape_configs:\n" + job("app", target, "")));
            await("a successful scrape", () -> storage.samples("__name__", "up", "job", "app").stream().anyMatch(u -> u.value() == 1));

            String instance = target.address();
            Sample requests = storage.samples("__name__", "http_requests_total").get(0);
            assertEquals(Labels.of("__name__", "http_requests_total", "code", "200", "job", "app",
                    "exported_job", "exporter", "instance", instance, "exported_instance", "x", "env", "test"),
                    requests.labels());
            assertEquals(5, requests.value());
            Sample temperature = storage.samples("__name__", "temperature").get(0);
            assertEquals(ownTimestamp, temperature.timestamp());

            Sample up = storage.samples("__name__", "up").stream().filter(u -> u.value() == 1).findFirst().orElseThrow();
            assertEquals(Labels.of("__name__", "up", "job", "app", "instance", instance, "env", "test"), up.labels());
            assertEquals(1, up.value());
            assertEquals(requests.timestamp(), up.timestamp());
            Sample scraped = storage.samples("__name__", "scrape_samples_scraped").stream()
                    .filter(x -> x.timestamp() == up.timestamp()).findFirst().orElseThrow();
            assertEquals(2, scraped.value());
            assertEquals(up.timestamp(), scraped.timestamp());
            double duration = storage.samples("__name__", "scrape_duration_seconds").stream()
                    .filter(x -> x.timestamp() == up.timestamp()).findFirst().orElseThrow().value();
            assertTrue(duration > 0 && duration < 1, "duration " + duration);

            assertTrue(target.lastRequestHeaders().getFirst("Accept").contains("text/plain;version=0.0.4"));
            assertTrue(target.lastRequestHeaders().getFirst("User-Agent").startsWith("promlite/"));
            assertEquals("0.4", target.lastRequestHeaders().getFirst("X-Prometheus-Scrape-Timeout-Seconds"));
            assertEquals("gzip", target.lastRequestHeaders().getFirst("Accept-Encoding"));
            assertEquals("/metrics", target.lastRequestUri());

            TargetStatus status = manager.activeTargets().get(0);
            assertEquals("app", status.scrapePool());
            assertEquals("http://" + instance + "/metrics", status.scrapeUrl());
            assertEquals("up", status.health());
            assertEquals("", status.lastError());
            assertNotNull(status.lastScrape());
            assertEquals(Labels.of("job", "app", "instance", instance, "env", "test"), status.labels());
            assertEquals(instance, status.discoveredLabels().get("__address__"));
            assertEquals("400ms", status.discoveredLabels().get("__scrape_interval__"));
            assertEquals(Duration.ofMillis(400), status.scrapeInterval());
            assertEquals(Duration.ofMillis(400), status.scrapeTimeout());

            await("a second scrape", () -> target.requests() >= 2);
            await("an interval observed", () -> snapshot("prometheus_target_interval_length_seconds") != null);
            SummarySnapshot intervals = (SummarySnapshot) snapshot("prometheus_target_interval_length_seconds");
            assertEquals("400ms", intervals.getDataPoints().get(0).getLabels().get("interval"));
            GaugeSnapshot poolTargets = (GaugeSnapshot) snapshot("prometheus_target_scrape_pool_targets");
            assertEquals("app", poolTargets.getDataPoints().get(0).getLabels().get("scrape_job"));
            assertEquals(1, poolTargets.getDataPoints().get(0).getValue());
        }
    }

    private MetricSnapshot snapshot(String name) {
        for (MetricSnapshot s : registry.scrape()) {
            if (s.getMetadata().getName().equals(name) && !s.getDataPoints().isEmpty()) {
                return s;
            }
        }
        return null;
    }

    @Test
    void failedScrapesWriteOnlyTheReportAndDoNotAffectOthers() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (TestTarget good = new TestTarget().body("good_metric 1\n");
             TestTarget slow = new TestTarget().body("slow_metric 1\n").delayMs(1500);
             TestTarget error = new TestTarget().body("error_metric 1\n").status(500);
             TestTarget malformed = new TestTarget().body("malformed_metric 1\nmalformed_metric{a=\"b\"} x\n");
             TestTarget large = new TestTarget().body("large_metric 1\n".repeat(100));
             TestTarget limited = new TestTarget().body("limited_metric 1\nlimited_metric{a=\"b\"} 2\n");
             TestTarget labelLimited = new TestTarget().body("label_metric{a=\"1\",b=\"2\",c=\"3\"} 1\n")) {
            String yaml = "scrape_configs:\n"
                    + job("good", good, "")
                    + job("slow", slow, "")
                    + job("error", error, "")
                    + job("malformed", malformed, "")
                    + job("large", large, "    body_size_limit: 100B\n")
                    + job("limited", limited, "    sample_limit: 1\n")
                    + job("label_limited", labelLimited, "    label_limit: 4\n")
                    + "  - job_name: refused\n    scrape_interval: 400ms\n    scrape_timeout: 400ms\n"
                    + "    static_configs: [{targets: ['127.0.0.1:" + closedPort + "']}]\n";
            manager.apply(config(yaml));
            // Each awaited, not asserted at one instant: on a loaded machine any scrape may also time out.
            await("good up", () -> statusByJob().get("good").health().equals("up"));
            awaitError("slow", "context deadline exceeded");
            awaitError("error", "server returned HTTP status 500 Internal Server Error");
            awaitError("malformed", "line 2: invalid float \"x\"");
            awaitError("large", "body size limit exceeded");
            awaitError("limited", "sample limit exceeded");
            awaitError("label_limited", "label_limit exceeded (metric: label_metric, number of labels: 7, limit: 4)");
            awaitError("refused", "onnection refused");

            for (String job : List.of("slow", "error", "malformed", "large", "limited", "label_limited", "refused")) {
                List<Sample> written = storage.samples("job", job);
                assertFalse(written.isEmpty(), job);
                for (Sample s : written) {
                    String name = s.labels().metricName();
                    assertTrue(name.equals("up") || name.startsWith("scrape_"), job + " wrote " + s);
                    if (name.equals("up")) {
                        assertEquals(0, s.value(), job);
                    }
                }
            }
            assertFalse(storage.samples("__name__", "good_metric").isEmpty());
            assertTrue(storage.samples("__name__", "up", "job", "good").stream().anyMatch(u -> u.value() == 1));
            assertTrue(counter("prometheus_target_scrapes_exceeded_sample_limit") >= 1);
            assertTrue(counter("prometheus_target_scrapes_exceeded_body_size_limit") >= 1);
        }
    }

    private void awaitError(String job, String text) throws InterruptedException {
        await(job + " failing with " + text, () -> {
            TargetStatus status = statusByJob().get(job);
            return status.health().equals("down") && status.lastError().contains(text);
        });
    }

    private double counter(String name) {
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (snapshot.getMetadata().getName().equals(name)) {
                return ((CounterSnapshot) snapshot).getDataPoints().get(0).getValue();
            }
        }
        throw new AssertionError("no counter " + name);
    }

    @Test
    void rejectedSamplesAreCountedWithoutFailingTheScrape() throws Exception {
        long t = System.currentTimeMillis() - 60_000;
        try (TestTarget target = new TestTarget().body("m 1 " + t + "\n")) {
            manager.apply(config("scrape_configs:\n" + job("ooo", target, "")));
            await("first sample", () -> !storage.samples("__name__", "m").isEmpty());
            target.body("m 2 " + (t - 30_000) + "\nfresh 1\n");
            await("the out-of-order sample counted", () -> counter("prometheus_target_scrapes_sample_out_of_order") >= 1);
            await("the fresh sample", () -> !storage.samples("__name__", "fresh").isEmpty());
            assertEquals("up", manager.activeTargets().get(0).health());
            assertTrue(storage.samples("__name__", "m").stream().allMatch(s -> s.value() == 1));
        }
    }

    @Test
    void gzipBodiesAndParamsAndHonorLabels() throws Exception {
        try (TestTarget target = new TestTarget().body("zipped{job=\"mine\"} 3 5000\n").gzip(true)) {
            manager.apply(config("scrape_configs:\n" + job("z", target,
                    "    honor_labels: true\n    honor_timestamps: false\n    metrics_path: /probe\n"
                            + "    params: {module: [http_2xx]}\n")));
            await("a gzip scrape", () -> !storage.samples("__name__", "zipped").isEmpty());
            Sample s = storage.samples("__name__", "zipped").get(0);
            assertEquals("mine", s.labels().get("job"));
            assertFalse(s.labels().has("exported_job"));
            assertTrue(s.timestamp() > 5000, "honor_timestamps false uses the scrape time");
            assertEquals("/probe?module=http_2xx", target.lastRequestUri());
        }
    }

    @Test
    void listsTargetsDroppedByRelabeling() throws Exception {
        manager.apply(config("""
                scrape_configs:
                  - job_name: d
                    relabel_configs:
                      - source_labels: [__address__]
                        regex: 'drop:.*'
                        action: drop
                    static_configs: [{targets: ['drop:1', 'keep:1']}]
                """));
        assertEquals(List.of(new DroppedTarget("d", Labels.of("__address__", "drop:1", "__metrics_path__", "/metrics",
                        "__scheme__", "http", "__scrape_interval__", "1m", "__scrape_timeout__", "10s", "job", "d"))),
                manager.droppedTargets());
        assertEquals(List.of("keep:1"), manager.activeTargets().stream().map(t -> t.labels().get("instance")).toList());
    }

    @Test
    void chunkedGzipBodiesAndEmptyBodies() throws Exception {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            big.append("chunked_metric{i=\"").append(i).append("\"} ").append(i).append('\n');
        }
        try (TestTarget chunked = new TestTarget().body(big.toString()).gzip(true).chunked(true);
             TestTarget empty = new TestTarget().body("")) {
            manager.apply(config("scrape_configs:\n" + job("chunked", chunked, "") + job("empty", empty, "")));
            await("both scraped", () -> storage.samples("__name__", "scrape_samples_scraped").size() >= 2);
            await("all chunked series", () -> storage.samples("__name__", "chunked_metric").size() >= 3000);
            assertEquals(3000, storage.samples("__name__", "scrape_samples_scraped", "job", "chunked").get(0).value());
            assertEquals(0, storage.samples("__name__", "scrape_samples_scraped", "job", "empty").get(0).value());
            assertEquals(1, storage.samples("__name__", "up", "job", "empty").get(0).value());
        }
    }

    @Test
    void collectsMetricMetadataFromTargets() throws Exception {
        try (TestTarget a = new TestTarget().body("""
                # HELP http_requests_total Requests \\ served.
                # TYPE http_requests_total counter
                http_requests_total 1
                # TYPE legacy untyped
                legacy 1
                # HELP undeclared Only help.
                undeclared 1
                """);
             TestTarget b = new TestTarget().body("# HELP http_requests_total Other help.\n# TYPE http_requests_total counter\n")) {
            manager.apply(config("scrape_configs:\n" + job("a", a, "") + job("b", b, "")));
            await("metadata from both", () -> manager.metadata().getOrDefault("http_requests_total", List.of()).size() == 2);
            Map<String, List<MetricMetadata>> m = manager.metadata();
            assertEquals(List.of(new MetricMetadata("counter", "Requests \\ served.", ""),
                    new MetricMetadata("counter", "Other help.", "")), m.get("http_requests_total"));
            assertEquals(List.of(new MetricMetadata("unknown", "", "")), m.get("legacy"));
            assertEquals(List.of(new MetricMetadata("unknown", "Only help.", "")), m.get("undeclared"));

            b.status(500);
            a.body("# TYPE http_requests_total gauge\nhttp_requests_total 1\n");
            await("a's new metadata", () -> manager.metadata().get("legacy") == null);
            assertEquals(List.of(new MetricMetadata("gauge", "", ""), new MetricMetadata("counter", "Other help.", "")),
                    manager.metadata().get("http_requests_total"), "a failed scrape keeps the last metadata");
        }
    }

    @Test
    void sendsCredentials(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("token"), "s3cret\n");
        try (TestTarget basic = new TestTarget().body("b 1\n");
             TestTarget bearer = new TestTarget().body("t 1\n");
             TestTarget missing = new TestTarget().body("m 1\n")) {
            manager.apply(config("scrape_configs:\n"
                    + job("basic", basic, "    basic_auth: {username: user, password: pass}\n")
                    + job("bearer", bearer, "    bearer_token_file: " + dir.resolve("token") + "\n")
                    + job("missing", missing, "    bearer_token_file: " + dir.resolve("absent") + "\n")));
            await("both scraped", () -> basic.requests() > 0 && bearer.requests() > 0);
            assertEquals("Basic dXNlcjpwYXNz", basic.lastRequestHeaders().getFirst("Authorization"));
            assertEquals("Bearer s3cret", bearer.lastRequestHeaders().getFirst("Authorization"));
            awaitError("missing", "unable to read authorization credentials file " + dir.resolve("absent"));
            assertEquals(0, missing.requests(), "a target whose secret cannot be read is not contacted");
        }
    }

    @Test
    void compressionCanBeTurnedOff() throws Exception {
        try (TestTarget target = new TestTarget().body("plain 1\n")) {
            manager.apply(config("scrape_configs:\n" + job("p", target, "    enable_compression: false\n")));
            await("a scrape", () -> !storage.samples("__name__", "plain").isEmpty());
            assertEquals("identity", target.lastRequestHeaders().getFirst("Accept-Encoding"));
        }
    }

    @Test
    void parsesOpenMetricsWhenTheTargetAnswersWithIt() throws Exception {
        long seconds = System.currentTimeMillis() / 1000 - 60;
        try (TestTarget target = new TestTarget()
                .contentType("application/openmetrics-text; version=1.0.0; charset=utf-8")
                .body("# TYPE om counter\nom_total 4 " + seconds + ".5 # {trace_id=\"x\"} 1\n# EOF\n")) {
            manager.apply(config("scrape_configs:\n" + job("om", target, "")));
            await("an OpenMetrics scrape", () -> !storage.samples("__name__", "om_total").isEmpty());
            Sample s = storage.samples("__name__", "om_total").get(0);
            assertEquals(4, s.value());
            assertEquals(seconds * 1000 + 500, s.timestamp());
            assertTrue(target.lastRequestHeaders().getFirst("Accept")
                    .startsWith("application/openmetrics-text;version=1.0.0"));

            target.body("om_total 5\n");
            await("a body without # EOF fails", () -> manager.activeTargets().get(0).health().equals("down"));
            assertTrue(manager.activeTargets().get(0).lastError().contains("data does not end with # EOF"));
        }
    }

    @Test
    void keepsTheConnectionOpenBetweenScrapesAndReconnectsWhenTheTargetClosesIt() throws Exception {
        try (TestTarget target = new TestTarget().body("k 1\n")) {
            manager.apply(config("scrape_configs:\n" + job("k", target, "")));
            await("several scrapes", () -> target.requests() >= 4);
            assertTrue(target.connections() < target.requests(), "kept connections serve several scrapes");

            target.closeConnections(true);
            int before = target.requests();
            await("scrapes over fresh connections", () -> target.requests() >= before + 3);
            assertTrue(target.connections() >= 3);
            assertEquals("up", manager.activeTargets().get(0).health());
            assertEquals("", manager.activeTargets().get(0).lastError());
        }
    }

    @Test
    void applyStartsKeepsAndStopsLoops() throws Exception {
        try (TestTarget a = new TestTarget().body("a 1\n"); TestTarget b = new TestTarget().body("b 1\n")) {
            PromliteConfig first = config("scrape_configs:\n" + job("a", a, ""));
            manager.apply(first);
            await("a scraped", () -> statusByJob().get("a").health().equals("up"));

            // Re-applying an unchanged job keeps its loop (a new one would start "unknown").
            manager.apply(config("scrape_configs:\n" + job("a", a, "") + job("b", b, "")));
            assertEquals("up", statusByJob().get("a").health());
            await("b scraped", () -> statusByJob().get("b").health().equals("up"));

            manager.apply(config("scrape_configs:\n" + job("b", b, "")));
            assertEquals(List.of("b"), manager.activeTargets().stream().map(TargetStatus::scrapePool).toList());
            Thread.sleep(400);
            int requestsAfterStop = a.requests();
            Thread.sleep(700);
            assertEquals(requestsAfterStop, a.requests(), "a removed job is no longer scraped");

            manager.apply(config(""));
            assertEquals(List.of(), manager.activeTargets());
        }
    }

    @Test
    void closeStopsEverything() throws Exception {
        try (TestTarget a = new TestTarget().body("a 1\n")) {
            manager.apply(config("scrape_configs:\n" + job("a", a, "")));
            await("a scraped", () -> a.requests() > 0);
            manager.close();
            int requests = a.requests();
            Thread.sleep(700);
            assertEquals(requests, a.requests());
        }
    }
}
