package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.app.ApiClient.Element;
import io.promlite.tsdb.model.StaleNaN;
import io.promlite.web.ListenAddress;
import io.promlite.remote.wire.WriteRequests;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /api/v1/write} over real HTTP into the real store. */
class RemoteWriteReceiverTest {
    @TempDir
    Path tmp;
    private Promlite server;
    private ApiClient api;
    private final long t = System.currentTimeMillis() / 1000 * 1000 - 120_000;

    @BeforeEach
    void start() throws Exception {
        ServerSettings settings = ServerSettings.builder(null, tmp.resolve("data"), ListenAddress.parse("127.0.0.1:0"))
                .enableRemoteWriteReceiver(true).build();
        server = Promlite.start(settings, null);
        api = new ApiClient(server.port());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private List<Element> at(String query, long ms) throws Exception {
        return api.vectorAt(query, String.valueOf(ms / 1000.0));
    }

    @Test
    void writesSamplesAndKeepsStaleMarkers() throws Exception {
        String[] m = {"__name__", "rw_metric", "job", "sender"};
        HttpResponse<String> r = api.remoteWrite(new WriteRequests()
                .series(m, new long[] {t, t + 15_000, t + 30_000}, new double[] {1, 2, StaleNaN.VALUE}).snappy());
        assertEquals(204, r.statusCode(), r.body());
        assertEquals("2", at("rw_metric", t + 20_000).get(0).value());
        // A stale marker ends the series at once; an ordinary NaN would be answered as "NaN".
        assertEquals(List.of(), at("rw_metric", t + 31_000));
        HttpResponse<String> nan = api.remoteWrite(new WriteRequests()
                .series(m, t + 45_000, Double.NaN).snappy());
        assertEquals(204, nan.statusCode());
        assertEquals("NaN", at("rw_metric", t + 46_000).get(0).value());
    }

    @Test
    void malformedPayloadsAre400AndWriteNothing() throws Exception {
        byte[] good = new WriteRequests().series(new String[] {"__name__", "kept_out"}, t, 1).protobuf();
        // Not snappy-compressed.
        assertRejected(api.remoteWrite(good), "snappy");
        // Snappy, but the protobuf inside is cut short.
        byte[] cut = java.util.Arrays.copyOf(good, good.length - 3);
        assertRejected(api.remoteWrite(WriteRequests.compress(cut)), "proto: unexpected EOF");
        // A valid series followed by one with unsorted labels: neither is written.
        assertRejected(api.remoteWrite(new WriteRequests()
                .series(new String[] {"__name__", "kept_out"}, t, 1)
                .series(new String[] {"job", "a", "__name__", "kept_out"}, t, 1).snappy()), "not sorted");
        assertRejected(api.remoteWrite(new WriteRequests()
                .series(new String[] {"__name__", "kept_out", "a", "1", "a", "2"}, t, 1).snappy()), "duplicated label a");
        assertRejected(api.remoteWrite(new WriteRequests()
                .series(new String[] {"job", "no_name"}, t, 1).snappy()), "invalid metric name or labels");
        // A preamble declaring more than the limit is refused before anything is allocated.
        assertRejected(api.remoteWrite(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}),
                "more than the limit");
        assertEquals(List.of(), at("kept_out", t + 1000));
        assertEquals(List.of(), at("{job=\"no_name\"}", t + 1000));
    }

    @Test
    void outOfOrderSamplesAreReportedWhileTheRestIsKept() throws Exception {
        String[] a = {"__name__", "ooo", "s", "a"};
        String[] b = {"__name__", "ooo", "s", "b"};
        assertEquals(204, api.remoteWrite(new WriteRequests().series(a, t + 10_000, 1).snappy()).statusCode());
        HttpResponse<String> r = api.remoteWrite(new WriteRequests()
                .series(a, new long[] {t, t + 10_000}, new double[] {5, 6})
                .series(b, t + 10_000, 7).snappy());
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("out of order sample for series {__name__=\"ooo\", s=\"a\"}"), r.body());
        assertTrue(r.body().contains("duplicate sample for timestamp for series {__name__=\"ooo\", s=\"a\"}"),
                r.body());
        List<Element> now = at("ooo", t + 11_000);
        assertEquals(2, now.size(), now.toString());
        assertEquals("1", now.stream().filter(e -> e.metric().get("s").equals("a")).findFirst().orElseThrow().value());
        assertEquals("7", now.stream().filter(e -> e.metric().get("s").equals("b")).findFirst().orElseThrow().value());
    }

    @Test
    void samplesFarInTheFutureAreOutOfBounds() throws Exception {
        long future = System.currentTimeMillis() + 3_600_000;
        HttpResponse<String> r = api.remoteWrite(new WriteRequests()
                .series(new String[] {"__name__", "future"}, future, 1).snappy());
        assertEquals(400, r.statusCode());
        assertTrue(r.body().startsWith("out of bounds: timestamp is too far in the future for series"), r.body());
    }

    @Test
    void largeResultsAreStreamedInChunks() throws Exception {
        WriteRequests many = new WriteRequests();
        for (int i = 0; i < 3000; i++) {
            many.series(new String[] {"__name__", "wide", "id", String.format("%05d", i), "pad", "x".repeat(40)}, t, i);
        }
        assertEquals(204, api.remoteWrite(many.snappy()).statusCode());
        HttpResponse<String> r = api.get("/api/v1/series?match[]=wide");
        assertEquals(200, r.statusCode());
        assertEquals("chunked", r.headers().firstValue("Transfer-Encoding").orElse(""));
        List<Object> series = Json.array(Json.object(Json.parse(r.body())).get("data"));
        assertEquals(3000, series.size());
        assertEquals("02999", Json.object(series.get(2999)).get("id"));
        // Streamed and gzip-compressed together, as Grafana's client asks for it.
        HttpResponse<byte[]> gz = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/api/v1/series?match[]=wide")).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals("gzip", gz.headers().firstValue("Content-Encoding").orElse(""));
        String unzipped = new String(new GZIPInputStream(new ByteArrayInputStream(gz.body()))
                .readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(r.body(), unzipped);
        // A small answer still carries its length.
        HttpResponse<String> small = api.get("/api/v1/label/id/values?limit=1");
        assertTrue(small.headers().firstValue("Content-Length").isPresent());
    }

    private static void assertRejected(HttpResponse<String> r, String expected) {
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains(expected), r.body());
    }
}
