package io.promlite.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.config.RemoteWriteConfig.QueueConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteWriteConfigTest {

    @Test
    void defaultsFollowPrometheus() throws ConfigException {
        RemoteWriteConfig rw = ConfigLoader.parse("remote_write:\n  - url: http://mimir:9009/api/v1/push\n", "r.yml")
                .remoteWriteConfigs().get(0);
        assertEquals("http://mimir:9009/api/v1/push", rw.url());
        assertEquals(Duration.ofSeconds(30), rw.remoteTimeout());
        QueueConfig q = rw.queueConfig();
        assertEquals(10_000, q.capacity());
        assertEquals(50, q.maxShards());
        assertEquals(1, q.minShards());
        assertEquals(2_000, q.maxSamplesPerSend());
        assertEquals(Duration.ofSeconds(5), q.batchSendDeadline());
        assertEquals(Duration.ofMillis(30), q.minBackoff());
        assertEquals(Duration.ofSeconds(5), q.maxBackoff());
        assertTrue(q.retryOnHttp429());
        assertTrue(rw.metadataConfig().send());
        assertEquals(Duration.ofMinutes(1), rw.metadataConfig().sendInterval());
        assertNull(rw.basicAuth());
        assertEquals(TlsConfig.DEFAULT, rw.tlsConfig());
        assertEquals(6, rw.queueName().length(), "unnamed queues get a short hash as Prometheus does");
    }

    @Test
    void everyFieldIsRead() throws ConfigException {
        String yaml = """
                remote_write:
                  - url: https://thanos/api/v1/receive
                    name: thanos
                    remote_timeout: 10s
                    headers:
                      X-Scope-OrgID: team-a
                    authorization:
                      credentials: secret
                    tls_config:
                      insecure_skip_verify: true
                      server_name: receive.local
                    write_relabel_configs:
                      - source_labels: [__name__]
                        regex: go_.*
                        action: drop
                    queue_config:
                      capacity: 500
                      max_shards: 4
                      min_shards: 2
                      max_samples_per_send: 100
                      batch_send_deadline: 200ms
                      min_backoff: 10ms
                      max_backoff: 1s
                      retry_on_http_429: false
                    metadata_config:
                      send: false
                """;
        RemoteWriteConfig rw = ConfigLoader.parse(yaml, "r.yml").remoteWriteConfigs().get(0);
        assertEquals("thanos", rw.queueName());
        assertEquals(Duration.ofSeconds(10), rw.remoteTimeout());
        assertEquals(Map.of("X-Scope-OrgID", "team-a"), rw.headers());
        assertEquals(new RemoteWriteConfig.Authorization("Bearer", "secret", ""), rw.authorization());
        assertTrue(rw.tlsConfig().insecureSkipVerify());
        assertEquals("receive.local", rw.tlsConfig().serverName());
        assertEquals(RelabelAction.DROP, rw.writeRelabelConfigs().get(0).action());
        assertEquals(new QueueConfig(500, 4, 2, 100, Duration.ofMillis(200), Duration.ofMillis(10),
                Duration.ofSeconds(1), false), rw.queueConfig());
        assertFalse(rw.metadataConfig().send());
    }

    @Test
    void tlsConfigIsTheCommonOneWithInlinePemAndFilesRelativeToTheConfig(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, """
                remote_write:
                  - url: https://a
                    tls_config:
                      ca: |
                        -----BEGIN CERTIFICATE-----
                        MIIB
                        -----END CERTIFICATE-----
                      cert_file: client.pem
                      key: KEY
                      server_name: receive.local
                  - url: https://b
                    tls_config:
                      server_name: ""
                """);
        List<RemoteWriteConfig> rws = ConfigLoader.load(file).remoteWriteConfigs();
        assertEquals(new TlsConfig("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", null, null,
                dir.resolve("client.pem").toString(), "KEY", null, "receive.local", false), rws.get(0).tlsConfig());
        assertEquals(TlsConfig.DEFAULT, rws.get(1).tlsConfig(), "an empty server_name is unset, as in Prometheus");
    }

    @Test
    void bearerTokenIsABearerAuthorizationAsInPrometheus(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, """
                remote_write:
                  - url: http://a
                    bearer_token: secret
                  - url: http://b
                    bearer_token_file: token
                """);
        List<RemoteWriteConfig> rws = ConfigLoader.load(file).remoteWriteConfigs();
        assertEquals(new RemoteWriteConfig.Authorization("Bearer", "secret", ""), rws.get(0).authorization());
        assertEquals(new RemoteWriteConfig.Authorization("Bearer", "", dir.resolve("token").toString()),
                rws.get(1).authorization());
        assertError("remote_write:\n  - url: http://a\n    bearer_token: t\n    authorization:\n"
                + "      credentials: c\n", 5, "authorization is not compatible with bearer_token & bearer_token_file");
    }

    @Test
    void noRemoteWriteIsAnEmptyList() throws ConfigException {
        assertEquals(List.of(), ConfigLoader.parse("global:\n  scrape_interval: 5s\n", "r.yml").remoteWriteConfigs());
    }

    @Test
    void errorsNameFileAndLine() {
        assertError("remote_write:\n  - name: a\n", 2, "url for remote_write is empty");
        assertError("remote_write:\n  - url: http://a\n    name: x\n  - url: http://b\n    name: x\n", 4,
                "found multiple remote write configs with job name \"x\"");
        assertError("remote_write:\n  - url: http://a\n    headers:\n      Content-Type: x\n", 4,
                "Content-Type is a reserved header. It must not be changed");
        assertError("remote_write:\n  - url: http://a\n    basic_auth:\n      username: u\n    authorization:\n"
                + "      credentials: c\n", 6, "at most one of basic_auth, oauth2 & authorization must be configured");
        assertError("remote_write:\n  - url: http://a\n    tls_config:\n      ca: PEM\n      ca_file: ca.pem\n", 4,
                "at most one of ca and ca_file must be configured");
        assertError("remote_write:\n  - url: http://a\n    kubernetes_sd_configs: []\n", 3,
                "field kubernetes_sd_configs not found in type config.RemoteWriteConfig");
        assertError("remote_write:\n  - url: http://a\n    queue_config:\n      max_shards: 0\n", 4,
                "max_shards must be greater than 0");
        assertError("remote_write:\n  - url: http://a\n    queue_config:\n      min_shards: 5\n      max_shards: 2\n",
                4, "min_shards (5) must not exceed max_shards (2)");
        assertError("remote_write:\n  - url: http://a\n    queue_confg: {}\n", 3, "queue_confg");
        assertError("remote_write:\n  - url: ftp://a\n", 2, "http or https");
        assertError("remote_write:\n  - url: http://a\n  - url: http://a\n    remote_timeout: 5s\n", 3,
                "duplicate remote write configs are not allowed, found duplicate for URL: http://a");
    }

    private static void assertError(String yaml, int line, String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "bad.yml"));
        assertTrue(e.getMessage().contains(text), e.getMessage());
        assertTrue(e.getMessage().startsWith("bad.yml:" + line + ":"), e.getMessage());
    }
}
