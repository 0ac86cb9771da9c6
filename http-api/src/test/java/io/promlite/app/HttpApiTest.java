package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.web.ListenAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP surface of a running server: JSON shapes, error envelopes, status codes. */
class HttpApiTest {
    @TempDir
    static Path tmp;
    private static Promlite server;
    private static ApiClient api;

    @BeforeAll
    static void start() throws Exception {
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, "scrape_configs: []\n");
        ServerSettings settings = ServerSettings.defaults(config, tmp.resolve("data"), ListenAddress.parse("127.0.0.1:0"));
        server = Promlite.start(settings, Promlite.loadConfig(settings));
        api = new ApiClient(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void scalarResultHasPrometheusShape() throws Exception {
        HttpResponse<String> r = api.get("/api/v1/query?query=42&time=1700000000.123");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000.123,\"42\"]}}",
                r.body());
    }

    @Test
    void rfc3339TimeAndFormPost() throws Exception {
        HttpResponse<String> r = api.postForm("/api/v1/query", "query=" + ApiClient.encode("-1.5")
                + "&time=" + ApiClient.encode("2023-11-14T22:13:20Z"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000,\"-1.5\"]}}",
                r.body());
    }

    /** Grafana's "Save & test" sends exactly this request and parses exactly this answer. */
    @Test
    void grafanaHealthCheck() throws Exception {
        HttpResponse<String> r = api.postForm("/api/v1/query", "query=1%2B1&time=4");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}", r.body());
    }

    @Test
    void emptyVector() throws Exception {
        HttpResponse<String> r = api.get("/api/v1/query?query=" + ApiClient.encode("no_such_metric{a=\"b\"}"));
        assertEquals("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}", r.body());
    }

    @Test
    void parseErrorIsBadDataWithPosition() throws Exception {
        HttpResponse<String> r = api.get("/api/v1/query?query=" + ApiClient.encode("sum(up"));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().startsWith("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
                + "\"invalid parameter \\\"query\\\": 1:"), r.body());
    }

    @Test
    void badTimeIsBadData() throws Exception {
        HttpResponse<String> r = api.get("/api/v1/query?query=1&time=yesterday");
        assertEquals(400, r.statusCode());
        assertEquals("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"time\\\": "
                + "invalid time value for 'time': cannot parse \\\"yesterday\\\" to a valid timestamp\"}", r.body());
    }

    @Test
    void unknownPathAndWrongMethod() throws Exception {
        assertEquals(404, api.get("/api/v1/nope").statusCode());
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/v1/query?query=1"))
                .method("DELETE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode());
    }

    @Test
    void healthReadyAndOwnMetrics() throws Exception {
        assertEquals(200, api.get("/-/healthy").statusCode());
        assertEquals(200, api.get("/-/ready").statusCode());
        HttpResponse<String> metrics = api.get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        assertTrue(metrics.body().contains("# TYPE jvm_memory_used_bytes gauge"), metrics.body());
        assertTrue(metrics.body().contains("promlite_http_requests_total{code=\"200\",handler=\"/-/healthy\"} 1.0"),
                metrics.body());
        assertTrue(metrics.body().contains(
                "promlite_http_request_duration_seconds_bucket{handler=\"/-/ready\",le=\"0.1\"}"), metrics.body());
    }

    @Test
    void responsesAreGzippedWhenAccepted() throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/metrics")).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElse(""));
        assertEquals(0x1f, r.body()[0] & 0xff);
    }
}
