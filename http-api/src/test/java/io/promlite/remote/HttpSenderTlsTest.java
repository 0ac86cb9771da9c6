package io.promlite.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.promlite.config.ConfigLoader;
import io.promlite.config.RemoteWriteConfig;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tls_config against a real HTTPS receiver with certificates made by openssl for the test. */
class HttpSenderTlsTest {
    /** A name only the server's certificate holds: reaching the receiver by IP, only server_name can match it. */
    private static final String RECEIVER_NAME = "receiver.promlite.test";
    @TempDir
    static Path dir;
    private static HttpsServer server;
    private static volatile String clientSubject;
    private static volatile List<SNIServerName> requestedServerNames;

    private static void openssl(String... args) throws Exception {
        Process p = new ProcessBuilder(List.of(args)).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertEquals(0, p.waitFor(), "openssl " + String.join(" ", args));
    }

    @BeforeAll
    static void startServer() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is needed to make test certificates");
        openssl("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "1", "-subj", "/CN=test-ca");
        openssl("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=localhost");
        Files.writeString(dir.resolve("ext"), "subjectAltName=IP:127.0.0.1,DNS:" + RECEIVER_NAME + "\n");
        openssl("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "ext");
        openssl("openssl", "pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-out", "server.p12",
                "-passout", "pass:changeit");
        openssl("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=promlite-client");
        openssl("openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "client.pem", "-days", "1");

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(dir.resolve("server.p12").toFile())) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (FileInputStream in = new FileInputStream(dir.resolve("ca.pem").toFile())) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = context.getDefaultSSLParameters();
                p.setWantClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/api/v1/write", exchange -> {
            exchange.getRequestBody().readAllBytes();
            requestedServerNames = ((ExtendedSSLSession) ((HttpsExchange) exchange).getSSLSession())
                    .getRequestedServerNames();
            try {
                clientSubject = ((X509Certificate) ((HttpsExchange) exchange).getSSLSession()
                        .getPeerCertificates()[0]).getSubjectX500Principal().getName();
            } catch (SSLPeerUnverifiedException none) {
                clientSubject = null;
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static int send(String tls) throws Exception {
        HttpSender.Outcome out = new HttpSender.Outcome();
        try (HttpSender sender = new HttpSender(config(tls), "promlite/test")) {
            sender.send(new byte[] {0}, 1, out);
        }
        return out.status;
    }

    private static RemoteWriteConfig config(String tls) throws Exception {
        return ConfigLoader.parse("""
                remote_write:
                  - url: https://127.0.0.1:%d/api/v1/write
                    remote_timeout: 5s
                    tls_config: %s
                """.formatted(server.getAddress().getPort(), tls), "tls.yml").remoteWriteConfigs().get(0);
    }

    @Test
    void trustsTheConfiguredCaAndPresentsTheClientCertificate() throws Exception {
        String tls = "{ ca_file: %s, cert_file: %s, key_file: %s }".formatted(dir.resolve("ca.pem"),
                dir.resolve("client.pem"), dir.resolve("client.key"));
        assertEquals(204, send(tls));
        assertEquals("CN=promlite-client", clientSubject);
    }

    @Test
    void refusesAnUntrustedServerUnlessTold() throws Exception {
        assertEquals(HttpSender.NETWORK_ERROR, send("{}"));
        assertEquals(204, send("{ insecure_skip_verify: true }"));
        assertEquals(null, clientSubject);
    }

    @Test
    void trustsAnInlineCaAndVerifiesAndSendsTheServerName() throws Exception {
        // A YAML double-quoted string, so the PEM's line breaks survive the one-line flow mapping.
        String ca = Files.readString(dir.resolve("ca.pem")).replace("\n", "\\n");
        assertEquals(204, send("{ ca: \"%s\", server_name: %s }".formatted(ca, RECEIVER_NAME)));
        assertEquals(List.of(new SNIHostName(RECEIVER_NAME)), requestedServerNames);
        assertEquals(HttpSender.NETWORK_ERROR, send("{ ca: \"%s\", server_name: other.promlite.test }".formatted(ca)),
                "the certificate must hold server_name, not just be signed by the CA");
    }

    @Test
    void anUnreadableCaFailsTheSenderWithTheScrapersWording() throws Exception {
        RemoteWriteConfig config = config("{ ca_file: /nonexistent/ca.pem }");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HttpSender(config, "promlite/test").close());
        assertTrue(e.getMessage().startsWith("tls_config: unable to load specified CA cert /nonexistent/ca.pem: "),
                e.getMessage());
    }
}
