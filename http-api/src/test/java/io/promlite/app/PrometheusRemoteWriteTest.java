package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promlite.app.ApiClient.Element;
import io.promlite.web.ListenAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's real Prometheus, started by the test on a temporary directory and a loopback port,
 * scrapes a target and remote-writes into promlite; both must then answer the same queries the
 * same way; it also federates promlite's copy back through {@code /federate}. Skipped, saying so, when
 * {@code /usr/bin/prometheus} is not installed.
 */
class PrometheusRemoteWriteTest {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    @TempDir
    Path tmp;

    @Test
    void prometheusRemoteWritesAndBothAnswerAlike() throws Exception {
        assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus is not installed at " + PROMETHEUS
                + " (apt-get install prometheus); skipping the remote-write end-to-end test");
        // promlite scrapes nothing itself: all its data arrives by remote write.
        Path ownConfig = tmp.resolve("promlite.yml");
        Files.writeString(ownConfig, "scrape_configs: []\n");
        ServerSettings settings = ServerSettings.builder(ownConfig, tmp.resolve("promlite"),
                ListenAddress.parse("127.0.0.1:0")).enableRemoteWriteReceiver(true).build();
        try (TestTarget target = new TestTarget("""
                # TYPE rw_requests_total counter
                rw_requests_total{code="200"} 10
                rw_requests_total{code="500"} 2
                # TYPE rw_temperature gauge
                rw_temperature 21.5
                """);
             Promlite promlite = Promlite.start(settings, Promlite.loadConfig(settings))) {
            int promPort;
            try (ServerSocket s = new ServerSocket(0)) {
                promPort = s.getLocalPort();
            }
            Path config = tmp.resolve("prometheus.yml");
            Files.writeString(config, """
                    global: { scrape_interval: 1s }
                    scrape_configs:
                      - job_name: rw
                        static_configs: [ { targets: ["%s"] } ]
                      # Prometheus also federates promlite's copy back, as a real parser of /federate.
                      - job_name: fed
                        honor_labels: true
                        metrics_path: /federate
                        params: { "match[]": ['{job="rw"}'] }
                        static_configs: [ { targets: ["127.0.0.1:%d"] } ]
                        metric_relabel_configs: [ { target_label: federated, replacement: "yes" } ]
                    remote_write:
                      - url: http://127.0.0.1:%d/api/v1/write
                        queue_config: { batch_send_deadline: 500ms, min_backoff: 100ms }
                    """.formatted(target.address(), promlite.port(), promlite.port()));
            Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + tmp.resolve("prometheus"), "--web.listen-address=127.0.0.1:" + promPort)
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
            try {
                ApiClient ours = new ApiClient(promlite.port());
                ApiClient theirs = new ApiClient(promPort);
                EndToEndTest.eventually(() -> ours.vector("rw_temperature").size() == 1);
                target.serve("""
                        rw_requests_total{code="200"} 15
                        rw_requests_total{code="500"} 3
                        rw_temperature 19
                        """);
                EndToEndTest.eventually(() -> ours.vector("rw_temperature").get(0).value().equals("19"));
                // A few scrapes more, so that rate() has samples before and after the change.
                EndToEndTest.eventually(() -> Double.parseDouble(
                        ours.vector("count_over_time(rw_temperature[1m])").get(0).value()) >= 5);
                // Compare at a moment both have complete data for: a little before promlite's newest sample.
                double newest = Double.parseDouble(ours.vector("timestamp(rw_temperature)").get(0).value());
                String at = String.valueOf(newest - 0.5);
                for (String q : List.of("rw_requests_total{job=\"rw\"}", "rw_temperature{job=\"rw\"}",
                        "up{job=\"rw\"}", "count_over_time(rw_temperature{job=\"rw\"}[1m])",
                        "sum by (job) (rw_requests_total{job=\"rw\"})", "rate(rw_requests_total{job=\"rw\"}[1m])")) {
                    List<Element> expected = theirs.vectorAt(q, at);
                    assertFalse(expected.isEmpty(), "Prometheus has no answer for " + q);
                    assertEquals(sorted(expected), sorted(ours.vectorAt(q, at)), q + " at " + at);
                }
                // Prometheus scraped promlite's /federate and parsed it.
                EndToEndTest.eventually(() -> theirs.vector("rw_temperature{federated=\"yes\"}").size() == 1
                        && theirs.vector("rw_temperature{federated=\"yes\"}").get(0).value().equals("19"));
                assertEquals("1", theirs.vector("up{job=\"fed\"}").get(0).value());
                assertEquals(2, theirs.vector("rw_requests_total{federated=\"yes\",job=\"rw\"}").size());
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    private static List<String> sorted(List<Element> elements) {
        return elements.stream().map(e -> e.metric() + " " + e.timestamp() + " " + e.value()).sorted().toList();
    }
}
