package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.web.ListenAddress;
import io.promlite.remote.wire.WriteRequests;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The query endpoints answer with Prometheus's {@code warnings} and {@code infos} fields. */
class QueryAnnotationsTest {
    @TempDir
    Path tmp;

    @Test
    void warningsAndInfosReachTheJsonEnvelope() throws Exception {
        ServerSettings settings = ServerSettings.builder(null, tmp.resolve("data"), ListenAddress.parse("127.0.0.1:0"))
                .enableRemoteWriteReceiver(true).build();
        long t = System.currentTimeMillis() / 1000 * 1000 - 600_000;
        long[] ts = new long[20];
        double[] vs = new double[20];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = t + i * 15_000L;
            vs[i] = i;
        }
        try (Promlite server = Promlite.start(settings, null)) {
            ApiClient api = new ApiClient(server.port());
            assertEquals(204, api.remoteWrite(new WriteRequests()
                    .series(new String[] {"__name__", "temperature"}, ts, vs).snappy()).statusCode());
            long at = t / 1000 + 285;
            HttpResponse<String> info = api.get("/api/v1/query?query=" + ApiClient.encode("rate(temperature[1m])")
                    + "&time=" + at);
            assertEquals(200, info.statusCode(), info.body());
            assertTrue(info.body().contains(",\"infos\":[\"PromQL info: metric might not be a counter, name does not end "
                    + "in _total/_sum/_count/_bucket: \\\"temperature\\\" (1:6)\"]}"), info.body());
            assertFalse(info.body().contains("warnings"), info.body());

            HttpResponse<String> warn = api.get("/api/v1/query_range?query="
                    + ApiClient.encode("sort(quantile(1.5, temperature))") + "&start=" + (at - 60) + "&end=" + at
                    + "&step=15");
            assertEquals(200, warn.statusCode(), warn.body());
            assertTrue(warn.body().contains("\"PromQL warning: quantile value should be between 0 and 1, got 1.5 (1:15)\""),
                    warn.body());
            assertTrue(warn.body().contains("\"PromQL warning: sort is ineffective for range queries since results are "
                    + "always ordered by labels (1:1)\""), warn.body());
            assertFalse(warn.body().contains("infos"), warn.body());
        }
    }
}
