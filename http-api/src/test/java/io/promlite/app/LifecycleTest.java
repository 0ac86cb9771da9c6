package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.web.ListenAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reload, quit, the route prefix and the flags that switch endpoints on and off. */
class LifecycleTest {
    @TempDir
    Path tmp;

    private ServerSettings settings(Path config) {
        return ServerSettings.defaults(config, tmp.resolve("data"), ListenAddress.parse("127.0.0.1:0"));
    }

    @Test
    void reloadAppliesAGoodConfigAndRejectsABadOne() throws Exception {
        try (TestTarget target = new TestTarget("reloaded_metric 42\n")) {
            Path config = tmp.resolve("prometheus.yml");
            Files.writeString(config, "scrape_configs: []\n");
            ServerSettings s = settings(config).withFeatures(true, false, false);
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

    @Test
    void lifecycleAndAdminAreOffByDefault() throws Exception {
        try (Promlite server = Promlite.start(settings(null), null)) {
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
        Promlite server = Promlite.start(settings(null).withFeatures(true, false, false), null);
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
        ServerSettings s = settings(null).withWeb(URI.create("http://promlite.example:9090/prom/"), null);
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
        ServerSettings explicit = settings(null).withWeb(URI.create("http://x:1/ignored"), "/custom/");
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
