package io.promlite.app;

import static io.promlite.app.Json.array;
import static io.promlite.app.Json.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.web.ListenAddress;
import io.promlite.remote.wire.WriteRequests;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays the requests Grafana 11/12 sends to a Prometheus data source (health check, start-up,
 * metrics browser, panels, template variables), spelled as Grafana spells them, and checks each
 * answer has the shape Grafana's parser reads.
 */
class GrafanaReplayTest {
    @TempDir
    static Path tmp;
    private static Promlite server;
    private static ApiClient api;
    private static long now;

    @BeforeAll
    static void start() throws Exception {
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, "scrape_configs: []\n");
        ServerSettings settings = ServerSettings.builder(config, tmp.resolve("data"),
                ListenAddress.parse("127.0.0.1:0")).enableRemoteWriteReceiver(true).build();
        server = Promlite.start(settings, Promlite.loadConfig(settings));
        api = new ApiClient(server.port());
        now = System.currentTimeMillis() / 1000;
        int n = 240;
        long[] ts = new long[n];
        double[] ok = new double[n];
        double[] err = new double[n];
        double[] bucket = new double[n];
        for (int i = 0; i < n; i++) {
            ts[i] = (now - 3600 + i * 15L) * 1000;
            ok[i] = i * 10;
            err[i] = i;
            bucket[i] = i * 2;
        }
        assertEquals(204, api.remoteWrite(new WriteRequests()
                .series(new String[] {"__name__", "http_requests_total", "code", "200", "instance", "web:80",
                        "job", "web"}, ts, ok)
                .series(new String[] {"__name__", "http_requests_total", "code", "500", "instance", "web:80",
                        "job", "web"}, ts, err)
                .series(new String[] {"__name__", "http_duration_seconds_bucket", "instance", "web:80", "job", "web",
                        "le", "+Inf"}, ts, bucket)
                .snappy()).statusCode());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Grafana's backend POST: form body, its User-Agent, gzip accepted, custom params in the URL. */
    private static Reply grafanaPost(String path, String form) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("User-Agent", "Grafana/11.3.0").header("Accept-Encoding", "gzip")
                .header("X-Scope-OrgID", "tenant-1")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofByteArray());
        return decoded(r);
    }

    private static Reply grafanaGet(String pathAndQuery) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .header("User-Agent", "Grafana/11.3.0").header("Accept-Encoding", "gzip").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return decoded(r);
    }

    /** Go's transport unzips transparently; so does this. */
    private static Reply decoded(HttpResponse<byte[]> r) throws Exception {
        byte[] body = r.body();
        if (r.headers().firstValue("Content-Encoding").orElse("").equals("gzip")) {
            body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
        }
        return new Reply(r.statusCode(), r.headers(), new String(body, StandardCharsets.UTF_8));
    }

    /** An answer as Grafana's client sees it, after transparent decompression. */
    private record Reply(int statusCode, HttpHeaders headers, String body) {
    }

    /** The envelope Grafana's converter reads: success, a data member, JSON content type. */
    private static Object data(Reply r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        Map<String, Object> env = object(Json.parse(r.body()));
        assertEquals("success", env.get("status"), r.body());
        assertTrue(env.containsKey("data"), r.body());
        return env.get("data");
    }

    /** Every element is [number, "string"], as readTimeValuePair requires. */
    private static void assertPoint(Object point) {
        List<Object> p = array(point);
        assertEquals(2, p.size());
        assertInstanceOf(BigDecimal.class, p.get(0), "timestamp must be a JSON number: " + p);
        assertInstanceOf(String.class, p.get(1), "value must be a JSON string: " + p);
        Double.parseDouble((String) p.get(1));
    }

    @Test
    void healthCheck() throws Exception {
        Reply q = grafanaPost("/api/v1/query", "query=1%2B1&time=4&timeout=2m");
        assertEquals("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}", q.body());
        // Buildinfo is POSTed first by newer clients and retried as GET on 405.
        assertEquals(405, grafanaPost("/api/v1/status/buildinfo", "").statusCode());
        Map<String, Object> info = object(data(grafanaGet("/api/v1/status/buildinfo")));
        assertTrue(((String) info.get("version")).matches("\\d+\\.\\d+\\.\\d+"), "semver: " + info);
        assertNull(info.get("features"), "a non-empty features map would make Grafana treat promlite as Mimir");
    }

    @Test
    void dataSourceStartUpAndMetricsBrowser() throws Exception {
        long s = (now - 6 * 3600) / 60 * 60;
        long e = (now / 60 + 1) * 60;
        String range = "start=" + s + "&end=" + e;
        List<Object> names = array(data(grafanaGet("/api/v1/label/__name__/values?limit=40000&" + range)));
        assertEquals(List.of("http_duration_seconds_bucket", "http_requests_total"), names);
        assertEquals(List.of("__name__", "code", "instance", "job", "le"),
                array(data(grafanaPost("/api/v1/labels", "limit=40000&" + range))));
        assertInstanceOf(Map.class, data(grafanaGet("/api/v1/metadata?limit=40000")));
        assertEquals(List.of(), array(object(data(grafanaGet("/api/v1/rules"))).get("groups")));
        Map<String, Object> exemplarProbe = object(Json.parse(grafanaPost("/api/v1/query_exemplars",
                "query=test&start=" + (now * 1000 - 1_800_000) + "&end=" + now * 1000).body()));
        assertEquals("success", exemplarProbe.get("status"));

        // Metrics browser: encodeURIComponent spelling of selectors, match[] as match%5B%5D.
        String selector = "%7B__name__%3D~%22http_requests_total%7Chttp_duration_seconds_bucket%22%7D";
        assertEquals(List.of("http_duration_seconds_bucket", "http_requests_total"), array(data(grafanaGet(
                "/api/v1/label/__name__/values?limit=40000&" + range + "&match%5B%5D=" + selector))));
        assertEquals(List.of("200", "500"), array(data(grafanaGet("/api/v1/label/code/values?limit=40000&"
                + range + "&match%5B%5D=http_requests_total%7B%7D"))));
        assertEquals(List.of("__name__", "code", "instance", "job"), array(data(grafanaPost("/api/v1/labels",
                "limit=40000&" + range + "&match%5B%5D=http_requests_total%7Bjob%3D%22web%22%7D"))));
        List<Object> series = array(data(grafanaPost("/api/v1/series",
                range + "&match%5B%5D=%7B__name__!%3D%22%22%7D&limit=40000")));
        assertEquals(3, series.size());
        for (Object labels : series) {
            assertTrue(object(labels).containsKey("__name__"));
        }
    }

    @Test
    void panelRangeAndInstantQueries() throws Exception {
        long step = 15;
        long e = now / step * step;
        long s = e - 1800;
        // $__rate_interval arrives in Go's Duration spelling.
        String form = "end=" + e + "&query=" + ApiClient.encode("sum by (code) (rate(http_requests_total[1m0s]))")
                + "&start=" + s + "&step=" + step + "&timeout=2m";
        Map<String, Object> d = object(data(grafanaPost("/api/v1/query_range?max_source_resolution=5m", form)));
        assertEquals("matrix", d.get("resultType"));
        List<Object> result = array(d.get("result"));
        assertEquals(2, result.size());
        for (Object o : result) {
            Map<String, Object> series = object(o);
            assertInstanceOf(Map.class, series.get("metric"));
            List<Object> values = array(series.get("values"));
            assertEquals(1800 / step + 1, values.size());
            values.forEach(GrafanaReplayTest::assertPoint);
        }
        Map<String, Object> instant = object(data(grafanaPost("/api/v1/query",
                "query=http_requests_total&time=" + (now - 30) + ".123")));
        assertEquals("vector", instant.get("resultType"));
        for (Object o : array(instant.get("result"))) {
            Map<String, Object> sample = object(o);
            assertEquals("http_requests_total", object(sample.get("metric")).get("__name__"));
            assertPoint(sample.get("value"));
            assertEquals(new BigDecimal((now - 30) + ".123"), array(sample.get("value")).get(0));
        }
    }

    @Test
    void templateVariables() throws Exception {
        String range = "start=" + (now - 3600) + "&end=" + now;
        // label_values(http_requests_total, code)
        assertEquals(List.of("200", "500"), array(data(grafanaGet("/api/v1/label/code/values?limit=40000&" + range
                + "&match%5B%5D=http_requests_total"))));
        // metrics(http_.*)
        assertEquals(2, array(data(grafanaGet("/api/v1/label/__name__/values?" + range
                + "&match%5B%5D=%7B__name__%3D~%22http_.*%22%7D"))).size());
        // query_result(...): a vector, or a scalar.
        Map<String, Object> qr = object(data(grafanaPost("/api/v1/query",
                "query=" + ApiClient.encode("count(http_requests_total)") + "&time=" + now)));
        assertEquals("vector", qr.get("resultType"));
        assertEquals("2", array(object(array(qr.get("result")).get(0)).get("value")).get(1));
        // A plain series selector variable.
        assertEquals(1, array(data(grafanaPost("/api/v1/series",
                "match%5B%5D=" + ApiClient.encode("http_requests_total{code=\"500\"}") + "&" + range))).size());
    }

    @Test
    void errorsComeAsJsonWithStatusesGrafanaParses() throws Exception {
        Reply bad = grafanaPost("/api/v1/query_range", "end=10&query=rate(&start=0&step=15");
        assertEquals(400, bad.statusCode());
        Map<String, Object> env = object(Json.parse(bad.body()));
        assertEquals("error", env.get("status"));
        assertEquals("bad_data", env.get("errorType"));
        assertFalse(((String) env.get("error")).isEmpty());
        Reply wrongType = grafanaPost("/api/v1/query_range",
                "end=10&query=" + ApiClient.encode("http_requests_total[5m]") + "&start=0&step=15");
        assertEquals(400, wrongType.statusCode());
        Reply tooMany = grafanaPost("/api/v1/query_range", "end=100000&query=1&start=0&step=1");
        assertEquals("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"exceeded maximum resolution of "
                + "11,000 points per timeseries. Try decreasing the query resolution (?step=XX)\"}", tooMany.body());
    }
}
