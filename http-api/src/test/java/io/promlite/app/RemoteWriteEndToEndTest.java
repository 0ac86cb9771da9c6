package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promlite.app.ApiClient.Element;
import io.promlite.web.ListenAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * promlite scrapes a target and remote-writes to Debian's real Prometheus; both must answer the
 * same queries alike, also after the receiver was down for a while and promlite restarted in the
 * middle of that outage. Skipped, saying so, when {@code /usr/bin/prometheus} is not installed.
 */
class RemoteWriteEndToEndTest {
    @TempDir
    Path tmp;

    private static final String TARGET_BODY = """
            # TYPE rw_requests_total counter
            rw_requests_total{code="200"} %d
            rw_requests_total{code="500"} %d
            # TYPE rw_temperature gauge
            rw_temperature %d
            """;

    @Test
    void prometheusReceivesEverySampleThroughAnOutageAndARestart() throws Exception {
        assumeTrue(PrometheusReceiver.installed(), "prometheus is not installed at " + PrometheusReceiver.BINARY
                + " (apt-get install prometheus); skipping the remote-write end-to-end test");
        try (TestTarget target = new TestTarget(TARGET_BODY.formatted(10, 1, 20));
             PrometheusReceiver prometheus = new PrometheusReceiver(tmp.resolve("prometheus"))) {
            Path config = tmp.resolve("promlite.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 200ms
                      scrape_timeout: 150ms
                      external_labels: { replica: a }
                    scrape_configs:
                      - job_name: rw
                        static_configs: [ { targets: ["%s"] } ]
                    remote_write:
                      - url: %s
                        name: prometheus
                        queue_config: { batch_send_deadline: 100ms, min_backoff: 50ms, max_backoff: 300ms }
                        metadata_config: { send_interval: 300ms }
                    """.formatted(target.address(), prometheus.writeUrl()));
            ServerSettings settings = ServerSettings.defaults(config, tmp.resolve("promlite"),
                    ListenAddress.parse("127.0.0.1:0"));
            Promlite promlite = Promlite.start(settings, Promlite.loadConfig(settings));
            try {
                ApiClient theirs = prometheus.api();
                EndToEndTest.eventually(() -> theirs.vector("rw_temperature").size() == 1);
                assertSameAnswers(new ApiClient(promlite.port()), theirs);
                // Prometheus parses the whole request, so metadata it accepts is well-formed protobuf.
                ApiClient ours = new ApiClient(promlite.port());
                EndToEndTest.eventually(() -> queueMetric(ours, "metadata_total") >= 2);
                assertEquals(0, queueMetric(ours, "metadata_failed_total"));

                // The receiver goes away; promlite restarts while it is away; then it comes back.
                prometheus.stop();
                target.serve(TARGET_BODY.formatted(15, 2, 19));
                Thread.sleep(1000);
                promlite.close();
                promlite = Promlite.start(settings, Promlite.loadConfig(settings));
                target.serve(TARGET_BODY.formatted(30, 3, 18));
                Thread.sleep(1000);
                prometheus.start();
                assertSameAnswers(new ApiClient(promlite.port()), theirs);
                String metrics = new ApiClient(promlite.port()).get("/metrics").body();
                assertTrue(metrics.contains("promlite_remote_storage_samples_failed_total{remote_name=\"prometheus\","),
                        "the queue's metrics are exposed");
                assertFalse(metrics.matches("(?s).*promlite_remote_storage_samples_failed_total\\{[^}]*} [1-9].*"),
                        "no sample was refused (out of order or otherwise)");
            } finally {
                promlite.close();
            }
        }
    }

    /** A {@code promlite_remote_storage_<name>} value of the queue from promlite's own /metrics. */
    private static double queueMetric(ApiClient api, String name) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^promlite_remote_storage_" + name
                + "\\{remote_name=\"prometheus\",[^}]*} (\\S+)$").matcher(api.get("/metrics").body());
        assertTrue(m.find(), name + " is exposed");
        return Double.parseDouble(m.group(1));
    }

    /**
     * Every series' sample count over the whole run, and a few queries, agree at a moment both
     * have complete data for (a little before promlite's newest sample), once the queue caught up.
     */
    private static void assertSameAnswers(ApiClient ours, ApiClient theirs) throws Exception {
        EndToEndTest.eventually(() -> {
            double newest = Double.parseDouble(ours.vector("max(timestamp(up))").get(0).value());
            String at = String.valueOf(newest - 0.5);
            for (String q : List.of("count_over_time(up[10m])", "count_over_time(rw_requests_total[10m])",
                    "count_over_time(rw_temperature[10m])", "count_over_time(scrape_samples_scraped[10m])",
                    "rw_requests_total", "rw_temperature",
                    "rate(rw_requests_total[1m])", "sum by (code) (rw_requests_total)")) {
                List<String> expected = withoutReplica(ours.vectorAt(q, at), false);
                List<String> actual = withoutReplica(theirs.vectorAt(q, at), !q.startsWith("sum"));
                assertFalse(expected.isEmpty(), q);
                assertEquals(expected, actual, q + " at " + at);
            }
            return true;
        });
    }

    /** The elements as sorted text, with the {@code replica} external label checked and removed. */
    private static List<String> withoutReplica(List<Element> elements, boolean expectReplica) {
        return elements.stream().map(e -> {
            Map<String, String> labels = new HashMap<>(e.metric());
            String replica = labels.remove("replica");
            assertEquals(expectReplica ? "a" : null, replica, "external label on " + e.metric());
            return new java.util.TreeMap<>(labels) + " " + e.timestamp() + " " + e.value();
        }).sorted().toList();
    }
}
