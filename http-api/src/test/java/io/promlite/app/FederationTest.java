package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.StaleNaN;
import io.promlite.web.ListenAddress;
import io.promlite.remote.wire.WriteRequests;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /federate} over real HTTP: selection, external labels, staleness and both text formats. */
class FederationTest {
    @TempDir
    Path tmp;

    @Test
    void federatesTheNewestSampleOfEachMatchingSeries() throws Exception {
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  external_labels: { region: eu, job: ignored-when-present }
                scrape_configs: []
                """);
        ServerSettings settings = ServerSettings.builder(config, tmp.resolve("data"),
                ListenAddress.parse("127.0.0.1:0")).enableRemoteWriteReceiver(true).build();
        long t = System.currentTimeMillis() / 1000 * 1000 - 30_000;
        try (Promlite server = Promlite.start(settings, Promlite.loadConfig(settings))) {
            ApiClient api = new ApiClient(server.port());
            assertEquals(204, api.remoteWrite(new WriteRequests()
                    .series(new String[] {"__name__", "fed_total", "job", "a", "path", "/x\"y"},
                            new long[] {t - 15_000, t}, new double[] {1, 2_000_000})
                    .series(new String[] {"__name__", "fed_total", "instance", "i:1", "job", "b"}, t, 0.5)
                    .series(new String[] {"__name__", "fed_gone", "job", "a"},
                            new long[] {t - 15_000, t}, new double[] {1, StaleNaN.VALUE})
                    .series(new String[] {"__name__", "fed_old", "job", "a"}, t - 600_000, 1)
                    .series(new String[] {"__name__", "other", "job", "a"}, t, 3)
                    .snappy()).statusCode());

            HttpResponse<String> r = api.get("/federate?match[]=" + ApiClient.encode("{__name__=~\"fed_.*\"}")
                    + "&match[]=" + ApiClient.encode("fed_total{job=\"b\"}"));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").get());
            assertEquals("""
                    # TYPE fed_total untyped
                    fed_total{instance="i:1",job="b",region="eu"} 0.5 %d
                    fed_total{job="a",path="/x\\"y",instance="",region="eu"} 2e+06 %d
                    """.formatted(t, t), r.body());

            HttpResponse<String> om = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + server.port() + "/federate?match[]=other"))
                    .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(om.headers().firstValue("Content-Type").get().startsWith("application/openmetrics-text"));
            assertEquals("# TYPE other unknown\nother{job=\"a\",instance=\"\",region=\"eu\"} 3 " + t / 1000
                    + "\n# EOF\n", om.body());

            assertEquals("", api.get("/federate").body());
            assertEquals(400, api.get("/federate?match[]=" + ApiClient.encode("up{")).statusCode());
        }
    }
}
