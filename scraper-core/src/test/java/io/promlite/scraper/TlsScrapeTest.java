package io.promlite.scraper;

import static io.promlite.scraper.ScrapeManagerTest.await;
import static io.promlite.scraper.ScrapeManagerTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsScrapeTest {
    private StoredSamples storage;
    private ScrapeManager manager;

    @BeforeEach
    void open(@TempDir Path dir) throws Exception {
        storage = new StoredSamples(dir);
        manager = new ScrapeManager(storage.tsdb, new PrometheusRegistry());
    }

    @AfterEach
    void close() {
        manager.close();
        storage.close();
    }

    /** A server context presenting a fresh self-signed certificate for "localhost". */
    @SuppressWarnings("deprecation") // Netty's test certificate helper; enough for a test server.
    private static SelfSignedCertificate certificate() throws Exception {
        return new SelfSignedCertificate("localhost");
    }

    private static SSLContext serverContext(SelfSignedCertificate cert) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", cert.key(), new char[0], new Certificate[] {cert.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static String job(String name, TestTarget target, String tls) {
        return "  - job_name: " + name + "\n    scheme: https\n    scrape_interval: 400ms\n    scrape_timeout: 400ms\n"
                + tls + "    static_configs: [{targets: ['" + target.address() + "']}]\n";
    }

    @Test
    void verifiesTargetsAgainstTheConfiguredCa() throws Exception {
        SelfSignedCertificate cert = certificate();
        try (TestTarget target = new TestTarget(serverContext(cert)).body("secure 1\n")) {
            manager.apply(config("scrape_configs:\n"
                    + job("trusted", target, "    tls_config: {ca_file: '" + cert.certificate() + "', server_name: localhost}\n")
                    + job("insecure", target, "    tls_config: {insecure_skip_verify: true}\n")
                    + job("untrusted", target, "")
                    + job("wrong_name", target, "    tls_config: {ca_file: '" + cert.certificate() + "', server_name: other}\n")
                    + job("missing_ca", target, "    tls_config: {ca_file: /nonexistent/ca.pem}\n")));
            await("every target scraped", () -> manager.activeTargets().stream().noneMatch(t -> t.health().equals("unknown")));
            await("the trusted targets up", () -> {
                Map<String, TargetStatus> s = byJob();
                return s.get("trusted").health().equals("up") && s.get("insecure").health().equals("up");
            });
            Map<String, TargetStatus> status = byJob();
            assertEquals("down", status.get("untrusted").health());
            assertTrue(status.get("untrusted").lastError().contains("SSLHandshakeException"), status.get("untrusted").lastError());
            assertEquals("down", status.get("wrong_name").health());
            assertTrue(status.get("wrong_name").lastError().contains("No name matching other"), status.get("wrong_name").lastError());
            assertTrue(status.get("missing_ca").lastError().startsWith("unable to load specified CA cert /nonexistent/ca.pem"),
                    status.get("missing_ca").lastError());
            assertTrue(!storage.samples("__name__", "secure", "job", "trusted").isEmpty());
        } finally {
            cert.delete();
        }
    }

    private Map<String, TargetStatus> byJob() {
        return manager.activeTargets().stream().collect(Collectors.toMap(TargetStatus::scrapePool, t -> t));
    }
}
