package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.web.ListenAddress;
import io.promlite.remote.wire.WriteRequests;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --query.max-concurrency} and {@code --query.max-samples} on a running server. */
class QueryLimitsTest {
    @TempDir
    Path tmp;

    @Test
    void queriesBeyondTheConcurrencyLimitWaitTheirTurnAndSampleLimitIsAnExecutionError() throws Exception {
        ServerSettings settings = ServerSettings.builder(null, tmp.resolve("data"), ListenAddress.parse("127.0.0.1:0"))
                .enableRemoteWriteReceiver(true).queryLimits(Duration.ofMinutes(2), 100, 1).build();
        long t = System.currentTimeMillis() / 1000 * 1000 - 600_000;
        long[] ts = new long[200];
        double[] vs = new double[200];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = t + i * 1000L;
            vs[i] = i;
        }
        try (Promlite server = Promlite.start(settings, null)) {
            ApiClient api = new ApiClient(server.port());
            assertEquals(204, api.remoteWrite(new WriteRequests()
                    .series(new String[] {"__name__", "busy"}, ts, vs).snappy()).statusCode());
            HttpClient client = HttpClient.newHttpClient();
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                inFlight.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/api/v1/query?query=sum(busy)&time=" + (t / 1000 + 100))).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                HttpResponse<String> r = f.get();
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("\"100\""), r.body());
            }
            HttpResponse<String> heavy = api.get("/api/v1/query?query=" + ApiClient.encode("count_over_time(busy[5m])")
                    + "&time=" + (t / 1000 + 199));
            assertEquals(422, heavy.statusCode(), heavy.body());
            assertEquals("{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"query processing would load too "
                    + "many samples into memory in query execution\"}", heavy.body());
            String metrics = api.get("/metrics").body();
            assertTrue(metrics.contains("promlite_engine_query_duration_seconds_count{type=\"instant\"} 9"), metrics);
            assertTrue(metrics.contains("promlite_engine_queries 0.0"), metrics);
            assertTrue(metrics.contains("promlite_engine_queries_concurrent_max 1.0"), metrics);
        }
    }
}
