package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.app.ApiClient.Element;
import io.promlite.web.ListenAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on real sockets and a real RocksDB directory: three HTTP targets, a
 * prometheus.yml, the server scraping them, PromQL over the HTTP API, failures of single
 * targets, and a restart on the same data directory.
 */
class EndToEndTest {
    @TempDir
    Path tmp;

    private static String gallery(int ok, int errors, int inFlight, long stack) {
        return """
                # HELP image_gallery_requests_total Requests served.
                # TYPE image_gallery_requests_total counter
                image_gallery_requests_total{code="200",method="GET"} %d
                image_gallery_requests_total{code="500",method="GET"} %d
                # HELP image_gallery_in_flight_requests Requests in flight.
                # TYPE image_gallery_in_flight_requests gauge
                image_gallery_in_flight_requests %d
                # TYPE go_memstats_stack_inuse_bytes gauge
                go_memstats_stack_inuse_bytes %d
                """.formatted(ok, errors, inFlight, stack);
    }

    private static String accessLog(int a, int b) {
        return """
                # TYPE access_log_total counter
                access_log_total{hostname="web-1"} %d
                access_log_total{hostname="web-2"} %d
                """.formatted(a, b);
    }

    @Test
    void scrapesQueriesSurvivesTargetFailuresAndRestarts() throws Exception {
        try (TestTarget g1 = new TestTarget(gallery(100, 3, 2, 655360));
             TestTarget g2 = new TestTarget(gallery(50, 1, 5, 327680));
             TestTarget log = new TestTarget(accessLog(7, 11))) {
            Path config = tmp.resolve("prometheus.yml");
            Files.writeString(config, """
                    global: { scrape_interval: 1s }
                    scrape_configs:
                      - job_name: image-gallery
                        static_configs: [ { targets: ["%s", "%s"] } ]
                      - job_name: access-log
                        static_configs: [ { targets: ["%s"], labels: { env: demo } } ]
                      - job_name: retired
                        static_configs: [ { targets: ["127.0.0.1:1"] } ]
                        relabel_configs: [ { source_labels: [__address__], regex: "127.0.0.1:1", action: drop } ]
                    """.formatted(g1.address(), g2.address(), log.address()));
            ServerSettings settings = ServerSettings.defaults(config, tmp.resolve("data"), ListenAddress.parse("127.0.0.1:0"));

            String before;
            try (Promlite server = Promlite.start(settings, Promlite.loadConfig(settings))) {
                ApiClient api = new ApiClient(server.port());
                eventually(() -> api.vector("up").size() == 3);
                assertTargets(api, g1.address());
                assertMetadata(api, g1.address());

                assertEquals(List.of(new Sample(Map.of("code", "200", "job", "image-gallery", "method", "GET"), "150")),
                        samples(api.vector("sum(image_gallery_requests_total{code=\"200\"}) without(instance)")));
                assertEquals(List.of(new Sample(Map.of("env", "demo", "job", "access-log"), "18")),
                        samples(api.vector("sum(access_log_total) without(hostname, instance)")));
                assertEquals(sortedByInstance(List.of(
                                new Sample(Map.of("__name__", "go_memstats_stack_inuse_bytes", "instance", g1.address(),
                                        "job", "image-gallery"), "655360"),
                                new Sample(Map.of("__name__", "go_memstats_stack_inuse_bytes", "instance", g2.address(),
                                        "job", "image-gallery"), "327680"))),
                        sortedByInstance(samples(api.vector("go_memstats_stack_inuse_bytes{job=\"image-gallery\"}"))));
                assertEquals(Map.of(g1.address(), "1", g2.address(), "1"), upByInstance(api, "up{job=~\"image.*\"}"));

                // One target goes away: only its up turns 0.
                g2.close();
                eventually(() -> "0".equals(upByInstance(api, "up").get(g2.address())));
                assertEquals("1", upByInstance(api, "up").get(g1.address()));
                assertEquals("1", upByInstance(api, "up").get(log.address()));

                // Another sends a malformed body after a valid line: up 0, and nothing of that body is stored.
                log.serve("access_log_total{hostname=\"web-1\"} 999\naccess_log_total{hostname=\"web-2\" 12\n");
                eventually(() -> "0".equals(upByInstance(api, "up").get(log.address())));
                for (Element e : api.vector("access_log_total")) {
                    assertFalse(e.value().equals("999"), "a sample from a malformed body was stored: " + e);
                }
                assertEquals("1", upByInstance(api, "up").get(g1.address()));
                before = String.valueOf(System.currentTimeMillis() / 1000.0);
            }

            // A restart on the same data directory still answers for what was scraped before.
            try (Promlite server = Promlite.start(settings, Promlite.loadConfig(settings))) {
                ApiClient api = new ApiClient(server.port());
                List<Element> old = api.vectorAt("go_memstats_stack_inuse_bytes{instance=\"" + g1.address() + "\"}",
                        before);
                assertEquals(1, old.size());
                assertEquals("655360", old.get(0).value());
            }
        }
    }

    /** /api/v1/targets has Prometheus's fields for every live target, and honours ?state=. */
    private static void assertTargets(ApiClient api, String instance) throws Exception {
        Map<String, Object> data = Json.object(Json.object(Json.parse(api.get("/api/v1/targets").body())).get("data"));
        List<Object> active = Json.array(data.get("activeTargets"));
        assertEquals(3, active.size());
        Map<String, Object> t = active.stream().map(Json::object)
                .filter(o -> instance.equals(Json.object(o.get("labels")).get("instance"))).findFirst().orElseThrow();
        assertEquals(List.of("discoveredLabels", "labels", "scrapePool", "scrapeUrl", "globalUrl", "lastError",
                "lastScrape", "lastScrapeDuration", "health", "scrapeInterval", "scrapeTimeout"),
                List.copyOf(t.keySet()));
        assertEquals("image-gallery", t.get("scrapePool"));
        assertEquals("http://" + instance + "/metrics", t.get("scrapeUrl"));
        assertEquals("up", t.get("health"));
        assertEquals("", t.get("lastError"));
        assertEquals("1s", t.get("scrapeInterval"));
        assertTrue(((String) t.get("lastScrape")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"),
                t.toString());
        assertEquals("image-gallery", Json.object(t.get("discoveredLabels")).get("job"));
        Map<String, Object> dropped = Json.object(Json.object(Json.parse(
                api.get("/api/v1/targets?state=dropped").body())).get("data"));
        assertEquals(List.of(), dropped.get("activeTargets"));
        List<Object> droppedTargets = Json.array(dropped.get("droppedTargets"));
        assertEquals(1, droppedTargets.size());
        Map<String, Object> retired = Json.object(droppedTargets.get(0));
        assertEquals("retired", retired.get("scrapePool"));
        assertEquals("127.0.0.1:1", Json.object(retired.get("discoveredLabels")).get("__address__"));
        assertEquals(Map.of("retired", java.math.BigDecimal.ONE), dropped.get("droppedTargetCounts"));
        assertEquals("{\"status\":\"success\",\"data\":{\"scrapePools\":[\"access-log\",\"image-gallery\",\"retired\"]}}",
                api.get("/api/v1/scrape_pools").body());
    }

    /** /api/v1/metadata and /api/v1/targets/metadata report what the targets' HELP and TYPE lines say. */
    private static void assertMetadata(ApiClient api, String instance) throws Exception {
        Object requests = Json.object(Json.object(Json.parse(
                api.get("/api/v1/metadata?metric=image_gallery_requests_total").body())).get("data"));
        assertEquals(Map.of("image_gallery_requests_total",
                List.of(Map.of("type", "counter", "help", "Requests served.", "unit", ""))), requests);
        Map<String, Object> limited = Json.object(Json.object(Json.parse(
                api.get("/api/v1/metadata?limit=1").body())).get("data"));
        assertEquals(1, limited.size());
        List<Object> perTarget = Json.array(Json.object(Json.parse(api.get("/api/v1/targets/metadata?match_target="
                + ApiClient.encode("{instance=\"" + instance + "\"}") + "&metric=image_gallery_in_flight_requests")
                .body())).get("data"));
        assertEquals(List.of(Map.of("target", Map.of("instance", instance, "job", "image-gallery"),
                "metric", "image_gallery_in_flight_requests", "type", "gauge", "help", "Requests in flight.",
                "unit", "")), perTarget);
    }

    private record Sample(Map<String, String> metric, String value) {
    }

    private static List<Sample> samples(List<Element> elements) {
        return elements.stream().map(e -> new Sample(e.metric(), e.value())).toList();
    }

    private static List<Sample> sortedByInstance(List<Sample> samples) {
        return samples.stream().sorted((a, b) -> a.metric().get("instance").compareTo(b.metric().get("instance")))
                .toList();
    }

    private static Map<String, String> upByInstance(ApiClient api, String query) throws Exception {
        return api.vector(query).stream()
                .collect(java.util.stream.Collectors.toMap(e -> e.metric().get("instance"), Element::value));
    }

    /** Polls until the condition holds; scrapes run every second, so ten seconds is ample. */
    static void eventually(Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (AssertionError notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
            }
            assertTrue(System.nanoTime() < deadline, "condition not met within 15s");
            Thread.sleep(100);
        }
    }
}
