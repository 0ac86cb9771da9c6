package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.web.ListenAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reload, quit, the route prefix and the flags that switch endpoints on and off. */
class LifecycleTest {
    @TempDir
    Path tmp;

    private ServerSettings.Builder settings(Path config) {
        return ServerSettings.builder(config, tmp.resolve("data"), ListenAddress.parse("127.0.0.1:0"));
    }

    @Test
    void reloadAppliesAGoodConfigAndRejectsABadOne() throws Exception {
        try (TestTarget target = new TestTarget("reloaded_metric 42\n")) {
            Path config = tmp.resolve("prometheus.yml");
            Files.writeString(config, "scrape_configs: []\n");
            ServerSettings s = settings(config).enableLifecycle(true).build();
            try (Promlite server = Promlite.start(s, Promlite.loadConfig(s))) {
                ApiClient api = new ApiClient(server.port());
                Files.writeString(config, """
                        global: { scrape_interval: 1s }
                        scrape_configs:
                          - job_name: late
                            static_configs: [ { targets: ["%s"] } ]
                        """.formatted(target.address()));
                HttpResponse<String> ok = api.postForm("/-/reload", "");
                assertEquals(200, ok.statusCode(), ok.body());
                EndToEndTest.eventually(() -> api.vector("reloaded_metric").size() == 1);
                assertTrue(api.get("/api/v1/status/config").body().contains("job_name: late"));
                assertTrue(metrics(api).contains("promlite_config_last_reload_successful 1.0"));

                Files.writeString(config, "scrape_configs:\n  - job_name: late\n    scrape_intervall: 1s\n");
                HttpResponse<String> bad = api.postForm("/-/reload", "");
                assertEquals(500, bad.statusCode());
                assertTrue(bad.body().startsWith("failed to reload config: "), bad.body());
                assertTrue(bad.body().contains("scrape_intervall"), bad.body());
                assertTrue(metrics(api).contains("promlite_config_last_reload_successful 0.0"));
                assertTrue(api.get("/api/v1/status/runtimeinfo").body().contains("\"reloadConfigSuccess\":false"));
                // The running configuration keeps going.
                assertTrue(api.get("/api/v1/status/config").body().contains("job_name: late"));
                EndToEndTest.eventually(() -> api.vector("up{job=\"late\"}").size() == 1);

                assertEquals(405, api.get("/-/reload").statusCode());
            }
        }
    }

    /**
     * Good and bad reloads, over HTTP and as SIGHUP does them, while targets are scraped: the
     * target whose settings never change keeps every scrape slot, with no gap and no stale marker.
     */
    @Test
    void reloadsUnderLoadLeaveAnUnchangedTargetWithoutAGap() throws Exception {
        try (TestTarget steady = new TestTarget("steady_metric 1\n");
             TestTarget churn = new TestTarget("churn_metric 1\n")) {
            Path config = tmp.resolve("prometheus.yml");
            String good = """
                    global: { scrape_interval: 500ms }
                    scrape_configs:
                      - job_name: steady
                        static_configs: [ { targets: ["%s"] } ]
                      - job_name: churn
                        scrape_interval: %dms
                        static_configs: [ { targets: ["%s"], labels: { generation: "%d" } } ]
                    """;
            Files.writeString(config, good.formatted(steady.address(), 500, churn.address(), 0));
            ServerSettings s = settings(config).enableLifecycle(true).build();
            try (Promlite server = Promlite.start(s, Promlite.loadConfig(s))) {
                ApiClient api = new ApiClient(server.port());
                EndToEndTest.eventually(() -> api.vector("up{job=\"steady\"} == 1").size() == 1);
                long firstMs = System.currentTimeMillis();
                for (int generation = 1; generation <= 8; generation++) {
                    Files.writeString(config, good.formatted(steady.address(), 400 + 100 * (generation % 3),
                            churn.address(), generation));
                    if (generation % 2 == 0) {
                        server.reload();
                    } else {
                        HttpResponse<String> ok = api.postForm("/-/reload", "");
                        assertEquals(200, ok.statusCode(), ok.body());
                    }
                    Thread.sleep(200);
                    Files.writeString(config, "scrape_configs:\n  - job_name: steady\n    static_configs: [ {\n");
                    assertEquals(500, api.postForm("/-/reload", "").statusCode());
                    Thread.sleep(200);
                }
                Files.writeString(config, good.formatted(steady.address(), 500, churn.address(), 9));
                server.reload();
                Thread.sleep(1000);
                long lastMs = System.currentTimeMillis();
                assertTrue(metrics(api).contains("promlite_config_last_reload_successful 1.0"));
                EndToEndTest.eventually(() -> api.vector("churn_metric{generation=\"9\"}").size() == 1);

                List<Double> times = sampleTimes(api, "up{job=\"steady\"}", firstMs, lastMs);
                assertTrue(times.size() >= (lastMs - firstMs) / 500 - 1, "samples " + times);
                for (int i = 1; i < times.size(); i++) {
                    assertTrue(times.get(i) - times.get(i - 1) < 0.75, "a gap after " + times.get(i - 1) + ": " + times);
                }
                assertEquals(List.of(), api.vector("up{job=\"steady\"} != 1"), "every scrape of the steady target succeeded");
                // A stale marker (a loop restarted or stopped) would hide the series for a moment.
                int steps = (int) ((lastMs - firstMs - 25) / 50) + 1;
                long endMs = firstMs + (steps - 1) * 50L + 25; // half a step clear of the last one
                HttpResponse<String> range = api.get("/api/v1/query_range?query=" + ApiClient.encode("up{job=\"steady\"}")
                        + "&start=" + firstMs / 1000.0 + "&end=" + endMs / 1000.0 + "&step=0.05");
                assertEquals(steps, values(range.body()).size(), "the steady series is present at every instant");
            }
        }
    }

    /** The timestamps (seconds) of the series' samples between two instants, from a range selector. */
    private static List<Double> sampleTimes(ApiClient api, String selector, long fromMs, long toMs) throws Exception {
        String seconds = Long.toString((toMs - fromMs) / 1000 + 1);
        HttpResponse<String> r = api.get("/api/v1/query?query=" + ApiClient.encode(selector + "[" + seconds + "s]")
                + "&time=" + (toMs / 1000.0));
        assertEquals(200, r.statusCode(), r.body());
        return values(r.body()).stream().filter(t -> t * 1000 >= fromMs).toList();
    }

    /** The timestamps of the {@code [time, "value"]} pairs of a matrix result. */
    private static List<Double> values(String body) {
        List<Double> times = new ArrayList<>();
        Matcher m = Pattern.compile("\\[([0-9.]+),\"[^\"]*\"\\]").matcher(body);
        while (m.find()) {
            times.add(Double.parseDouble(m.group(1)));
        }
        return times;
    }

    @Test
    void lifecycleAndAdminAreOffByDefault() throws Exception {
        try (Promlite server = Promlite.start(settings(null).build(), null)) {
            ApiClient api = new ApiClient(server.port());
            HttpResponse<String> reload = api.postForm("/-/reload", "");
            assertEquals(403, reload.statusCode());
            assertEquals("Lifecycle API is not enabled.", reload.body());
            assertEquals(403, api.postForm("/-/quit", "").statusCode());
            HttpResponse<String> admin = api.postForm("/api/v1/admin/tsdb/snapshot", "");
            assertEquals(503, admin.statusCode());
            assertEquals("{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"admin APIs disabled\"}",
                    admin.body());
            HttpResponse<String> write = api.post("/api/v1/write", "application/x-protobuf", new byte[0]);
            assertEquals(404, write.statusCode());
            assertEquals("remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n",
                    write.body());
        }
    }

    @Test
    void quitStopsTheServer() throws Exception {
        Promlite server = Promlite.start(settings(null).enableLifecycle(true).build(), null);
        ApiClient api = new ApiClient(server.port());
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            try {
                server.awaitClosed();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        HttpResponse<String> r = api.postForm("/-/quit", "");
        assertEquals(200, r.statusCode());
        assertEquals("Requesting termination... Goodbye!", r.body());
        closed.get(10, TimeUnit.SECONDS);
    }

    @Test
    void routePrefixFromTheExternalUrlAppliesToEveryPath() throws Exception {
        ServerSettings s = settings(null).web(URI.create("http://promlite.example:9090/prom/"), null).build();
        try (Promlite server = Promlite.start(s, null)) {
            ApiClient api = new ApiClient(server.port());
            assertEquals(200, api.get("/prom/-/healthy").statusCode());
            assertEquals(404, api.get("/-/healthy").statusCode());
            assertEquals(404, api.get("/api/v1/query?query=1").statusCode());
            assertEquals("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}",
                    api.postForm("/prom/api/v1/query", "query=1%2B1&time=4").body());
            assertTrue(api.get("/prom/metrics").body().contains("jvm_memory_used_bytes"));
            // The embedded self-scrape follows the prefix.
            String targets = api.get("/prom/api/v1/targets").body();
            assertTrue(targets.contains("\"scrapeUrl\":\"http://127.0.0.1:" + server.port() + "/prom/metrics\""),
                    targets);
            // Seen from outside, promlite scraping itself is reached at the external URL.
            assertTrue(targets.contains("\"globalUrl\":\"http://promlite.example:9090/prom/metrics\""), targets);
        }
        ServerSettings explicit = settings(null).web(URI.create("http://x:1/ignored"), "/custom/").build();
        try (Promlite server = Promlite.start(explicit, null)) {
            ApiClient api = new ApiClient(server.port());
            assertEquals(200, api.get("/custom/-/ready").statusCode());
            assertEquals(404, api.get("/ignored/-/ready").statusCode());
        }
    }

    private static String metrics(ApiClient api) throws Exception {
        return api.get("/metrics").body();
    }
}
