package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.web.ListenAddress;
import io.promlite.remote.wire.WriteRequests;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Series, label and status endpoints over real HTTP, on data sent in by remote write: the
 * JSON each answers, and Prometheus's error texts for bad parameters.
 */
class MetadataEndpointsTest {
    @TempDir
    static Path tmp;
    private static Promlite server;
    private static ApiClient api;
    /** Whole seconds, so timestamps render as integers. */
    private static final long T = System.currentTimeMillis() / 1000 * 1000 - 60_000;

    @BeforeAll
    static void start() throws Exception {
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, "# the loaded file\nscrape_configs: []\n");
        ServerSettings settings = ServerSettings.builder(config, tmp.resolve("data"),
                ListenAddress.parse("127.0.0.1:0")).enableAdminApi(true).enableRemoteWriteReceiver(true).build();
        server = Promlite.start(settings, Promlite.loadConfig(settings));
        api = new ApiClient(server.port());
        HttpResponse<String> w = api.remoteWrite(new WriteRequests()
                .series(new String[] {"__name__", "http_requests_total", "code", "200", "job", "api"}, T, 10)
                .series(new String[] {"__name__", "http_requests_total", "code", "500", "job", "api"}, T, 1)
                .series(new String[] {"__name__", "up", "instance", "h:1", "job", "api"}, T, 1)
                .series(new String[] {"__name__", "up", "instance", "h:2", "job", "db", "my.label", "dotted"}, T, 0)
                .series(new String[] {"__name__", "doomed", "job", "tmp"}, T, 3)
                .snappy());
        assertEquals(204, w.statusCode(), w.body());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String data(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        String prefix = "{\"status\":\"success\",\"data\":";
        assertTrue(r.body().startsWith(prefix), r.body());
        return r.body().substring(prefix.length(), r.body().length() - 1);
    }

    private static void assertBadData(String expectedError, HttpResponse<String> r) {
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"" + expectedError + "\"}", r.body());
    }

    @Test
    void seriesByGetAndPost() throws Exception {
        String up = "[{\"__name__\":\"up\",\"instance\":\"h:1\",\"job\":\"api\"},"
                + "{\"__name__\":\"up\",\"instance\":\"h:2\",\"job\":\"db\",\"my.label\":\"dotted\"}]";
        assertEquals(up, data(api.get("/api/v1/series?match%5B%5D=up")));
        assertEquals(up, data(api.postForm("/api/v1/series", "match%5B%5D=up&start=" + (T / 1000 - 10)
                + "&end=" + (T / 1000 + 10) + "&limit=40000")));
        // Two selectors: the union, each series once, sorted.
        assertEquals("[{\"__name__\":\"up\",\"instance\":\"h:1\",\"job\":\"api\"}]",
                data(api.get("/api/v1/series?match[]=" + ApiClient.encode("up{job=\"api\"}") + "&match[]="
                        + ApiClient.encode("{instance=\"h:1\"}"))));
        assertEquals("[]", data(api.get("/api/v1/series?match[]=up&end=" + (T / 1000 - 3600))));
    }

    @Test
    void seriesLimitTruncatesWithAWarning() throws Exception {
        HttpResponse<String> r = api.get("/api/v1/series?match[]=up&limit=1");
        assertEquals("{\"status\":\"success\",\"data\":[{\"__name__\":\"up\",\"instance\":\"h:1\",\"job\":\"api\"}],"
                + "\"warnings\":[\"results truncated due to limit\"]}", r.body());
    }

    @Test
    void seriesParameterErrors() throws Exception {
        assertBadData("no match[] parameter provided", api.get("/api/v1/series"));
        assertBadData("match[] must contain at least one non-empty matcher",
                api.get("/api/v1/labels?match[]=" + ApiClient.encode("{job=~\".*\"}")));
        HttpResponse<String> r = api.get("/api/v1/series?match[]=" + ApiClient.encode("up{"));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("\"error\":\"invalid parameter \\\"match[]\\\": 1:"), r.body());
        assertBadData("invalid parameter \\\"start\\\": invalid time value for 'start': cannot parse \\\"soon\\\" "
                + "to a valid timestamp", api.get("/api/v1/series?match[]=up&start=soon"));
        assertBadData("invalid parameter \\\"limit\\\": strconv.Atoi: parsing \\\"x\\\": invalid syntax",
                api.get("/api/v1/series?match[]=up&limit=x"));
        assertBadData("invalid parameter \\\"limit\\\": limit must be non-negative",
                api.get("/api/v1/labels?limit=-1"));
    }

    @Test
    void labelNamesAndValues() throws Exception {
        assertEquals("[\"__name__\",\"code\",\"instance\",\"job\",\"my.label\"]", data(api.get("/api/v1/labels")));
        assertEquals("[\"__name__\",\"code\",\"job\"]", data(api.postForm("/api/v1/labels",
                "match%5B%5D=http_requests_total&limit=40000&start=1&end=" + (T / 1000 + 60))));
        assertEquals("[\"doomed\",\"http_requests_total\",\"up\"]",
                data(api.get("/api/v1/label/__name__/values?limit=40000")));
        assertEquals("[\"api\",\"db\"]", data(api.get("/api/v1/label/job/values?match[]=up")));
        assertEquals("[]", data(api.get("/api/v1/label/nope/values")));
        // Prometheus 3.x's escaping of names that are not legacy identifiers.
        assertEquals("[\"dotted\"]", data(api.get("/api/v1/label/U__my_2e_label/values")));
        HttpResponse<String> truncated = api.get("/api/v1/label/job/values?limit=1");
        assertEquals("{\"status\":\"success\",\"data\":[\"api\"],\"warnings\":[\"results truncated due to limit\"]}",
                truncated.body());
    }

    @Test
    void grafanaFallsBackToGetOn405() throws Exception {
        assertEquals(405, api.postForm("/api/v1/status/buildinfo", "").statusCode());
        assertEquals(405, api.postForm("/api/v1/label/job/values", "").statusCode());
        assertEquals(405, api.postForm("/api/v1/rules", "").statusCode());
    }

    @Test
    void buildInfoLooksLikeAPrometheusWithoutFeatures() throws Exception {
        String d = data(api.get("/api/v1/status/buildinfo"));
        assertTrue(d.startsWith("{\"version\":\"3.0.0\",\"revision\":"), d);
        assertFalse(d.contains("features"), d);
        assertTrue(d.contains("\"promliteVersion\":\"" + BuildInfo.VERSION + "\""), d);
    }

    @Test
    void statusEndpoints() throws Exception {
        assertEquals("{\"yaml\":\"# the loaded file\\nscrape_configs: []\\n\"}", data(api.get("/api/v1/status/config")));
        String flags = data(api.get("/api/v1/status/flags"));
        assertTrue(flags.contains("\"query.timeout\":\"2m\""), flags);
        assertTrue(flags.contains("\"web.enable-admin-api\":\"true\""), flags);
        assertTrue(flags.contains("\"storage.tsdb.retention.time\":\"15d\""), flags);
        String runtime = data(api.get("/api/v1/status/runtimeinfo"));
        assertTrue(runtime.contains("\"reloadConfigSuccess\":true"), runtime);
        assertTrue(runtime.contains("\"storageRetention\":\"15d\""), runtime);
        assertEquals("{\"min\":0,\"max\":0,\"current\":0}", data(api.get("/api/v1/status/walreplay")));
        String tsdb = data(api.get("/api/v1/status/tsdb?limit=2"));
        assertTrue(tsdb.contains("\"seriesCountByMetricName\":[{\"name\":\"http_requests_total\",\"value\":2},"
                + "{\"name\":\"up\",\"value\":2}]"), tsdb);
        assertTrue(tsdb.contains("\"seriesCountByLabelValuePair\":[{\"name\":\"job=api\",\"value\":3},"), tsdb);
        assertTrue(tsdb.contains("\"headStats\":{\"numSeries\":"), tsdb);
        assertBadData("limit must be a positive number", api.get("/api/v1/status/tsdb?limit=0"));
    }

    @Test
    void rulesAlertsExemplarsAndTargetsAreValidAndEmpty() throws Exception {
        assertEquals("{\"groups\":[]}", data(api.get("/api/v1/rules")));
        assertEquals("{\"alerts\":[]}", data(api.get("/api/v1/alerts")));
        assertEquals("[]", data(api.get("/api/v1/notifications")));
        assertEquals("{\"activeAlertmanagers\":[],\"droppedAlertmanagers\":[]}",
                data(api.get("/api/v1/alertmanagers")));
        // Grafana's probe: milliseconds sent as seconds, by POST.
        long nowMs = System.currentTimeMillis();
        assertEquals("[]", data(api.postForm("/api/v1/query_exemplars",
                "query=test&start=" + (nowMs - 1_800_000) + "&end=" + nowMs)));
        assertBadData("end timestamp must not be before start timestamp",
                api.get("/api/v1/query_exemplars?query=up&start=10&end=5"));
        assertEquals("{\"activeTargets\":[],\"droppedTargets\":[],\"droppedTargetCounts\":{}}",
                data(api.get("/api/v1/targets")));
        assertEquals("{}", data(api.get("/api/v1/metadata?limit=40000")));
        assertEquals("[]", data(api.get("/api/v1/targets/metadata?match_target=" + ApiClient.encode("{job=\"a\"}"))));
        assertBadData("limit must be a number", api.get("/api/v1/metadata?limit=many"));
    }

    @Test
    void adminDeleteSeriesAndSnapshot() throws Exception {
        assertEquals(1, api.vectorAt("doomed", String.valueOf(T / 1000)).size());
        assertBadData("no match[] parameter provided", api.postForm("/api/v1/admin/tsdb/delete_series", ""));
        HttpResponse<String> del = api.postForm("/api/v1/admin/tsdb/delete_series",
                "match%5B%5D=" + ApiClient.encode("doomed{job=\"tmp\"}"));
        assertEquals(204, del.statusCode(), del.body());
        assertEquals(0, api.vectorAt("doomed", String.valueOf(T / 1000)).size());
        assertEquals(204, api.postForm("/api/v1/admin/tsdb/clean_tombstones", "").statusCode());

        String snap = data(api.postForm("/api/v1/admin/tsdb/snapshot", ""));
        assertTrue(snap.matches("\\{\"name\":\"\\d{8}T\\d{6}Z-[0-9a-f]{16}\"}"), snap);
        String name = snap.substring(9, snap.length() - 2);
        assertTrue(Files.isDirectory(tmp.resolve("data").resolve("snapshots").resolve(name)));
    }

    @Test
    void queryLimitAndTimeoutParameters() throws Exception {
        HttpResponse<String> r = api.get("/api/v1/query?query=up&limit=1&time=" + T / 1000);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(1, ApiClient.parseVector(r.body()).size());
        assertTrue(r.body().endsWith("\"warnings\":[\"results truncated due to limit\"]}"), r.body());
        assertBadData("invalid parameter \\\"timeout\\\": cannot parse \\\"later\\\" to a valid duration",
                api.get("/api/v1/query?query=up&timeout=later"));
        assertEquals(200, api.get("/api/v1/query?query=up&timeout=1m0s").statusCode());
    }
}
