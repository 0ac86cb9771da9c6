package io.promlite.remote;

import io.promlite.config.RemoteWriteConfig;
import io.promlite.config.RemoteWriteConfig.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Posts remote-write requests with the JDK's HTTP client, with the headers remote write 1.0
 * requires and the queue's {@code headers}, {@code basic_auth}, {@code authorization} and
 * {@code tls_config}. Credentials files are read at every request, as Prometheus does, so a
 * rotated token is picked up without a reload. Thread-safe.
 */
final class HttpSender {
    /** The outcome of one request: an HTTP status, or {@link #NETWORK_ERROR}. */
    static final int NETWORK_ERROR = -1;

    private final RemoteWriteConfig config;
    private final HttpClient client;
    private final URI uri;
    private final String userAgent;

    HttpSender(RemoteWriteConfig config, String userAgent) {
        this.config = config;
        this.uri = URI.create(config.url());
        this.userAgent = userAgent;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.remoteTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (uri.getScheme().equals("https")) {
            builder.sslContext(sslContext(config.tlsConfig()));
            if (!config.tlsConfig().serverName().isEmpty()) {
                SSLParameters parameters = new SSLParameters();
                parameters.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName(config.tlsConfig().serverName())));
                builder.sslParameters(parameters);
            }
        }
        this.client = builder.build();
    }

    /** What one request came back with; one per shard, reused. */
    static final class Outcome {
        /** The HTTP status, or {@link #NETWORK_ERROR}. */
        int status;
        /** The receiver's {@code Retry-After} in milliseconds, 0 when it sent none. */
        long retryAfterMs;
        /** The first line of an error body, or the network error. */
        final StringBuilder error = new StringBuilder();
    }

    /** Posts {@code body[0, length)} and fills {@code out}. */
    void send(byte[] body, int length, Outcome out) throws InterruptedException {
        out.status = NETWORK_ERROR;
        out.retryAfterMs = 0;
        out.error.setLength(0);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(config.remoteTimeout())
                .header("Content-Encoding", "snappy")
                .header("Content-Type", "application/x-protobuf")
                .header("User-Agent", userAgent)
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, length));
        config.headers().forEach(request::header);
        try {
            String authorization = authorization();
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                // Prometheus logs the first line of an error body; reading it all also frees the connection.
                byte[] text = in.readAllBytes();
                if (response.statusCode() / 100 != 2) {
                    String s = new String(text, 0, Math.min(text.length, 512), StandardCharsets.UTF_8);
                    int newline = s.indexOf('\n');
                    out.error.append(newline < 0 ? s : s.substring(0, newline));
                }
            }
            out.status = response.statusCode();
            out.retryAfterMs = response.headers().firstValue("Retry-After").map(HttpSender::retryAfterMs).orElse(0L);
        } catch (IOException e) {
            out.error.append(e.getClass().getSimpleName()).append(e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }

    /** {@code Retry-After} as seconds or an HTTP date, as Prometheus reads it; 0 when it is neither. */
    static long retryAfterMs(String value) {
        try {
            return Math.max(0, Long.parseLong(value.trim()) * 1000);
        } catch (NumberFormatException notSeconds) {
            try {
                long at = java.time.ZonedDateTime.parse(value.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant().toEpochMilli();
                return Math.max(0, at - System.currentTimeMillis());
            } catch (java.time.format.DateTimeParseException neither) {
                return 0;
            }
        }
    }

    private String authorization() throws IOException {
        if (config.basicAuth() != null) {
            RemoteWriteConfig.BasicAuth b = config.basicAuth();
            String password = b.passwordFile().isEmpty() ? b.password() : readSecret(b.passwordFile());
            return "Basic " + Base64.getEncoder().encodeToString(
                    (b.username() + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        if (config.authorization() != null) {
            RemoteWriteConfig.Authorization a = config.authorization();
            String credentials = a.credentialsFile().isEmpty() ? a.credentials() : readSecret(a.credentialsFile());
            return a.type() + " " + credentials;
        }
        return null;
    }

    private static String readSecret(String file) throws IOException {
        return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    }

    private static SSLContext sslContext(TlsConfig tls) {
        try {
            TrustManager[] trust = null;
            if (tls.insecureSkipVerify()) {
                trust = new TrustManager[] {new TrustAll()};
            } else if (!tls.caFile().isEmpty()) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                try (InputStream in = Files.newInputStream(Path.of(tls.caFile()))) {
                    int i = 0;
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        store.setCertificateEntry("ca" + i++, c);
                    }
                }
                TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                f.init(store);
                trust = f.getTrustManagers();
            }
            KeyManager[] keys = tls.certFile().isEmpty() ? null : clientKeys(tls);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("tls_config: " + e.getMessage(), e);
        }
    }

    /** The client certificate chain and its PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}), RSA or EC. */
    private static KeyManager[] clientKeys(TlsConfig tls) throws IOException, GeneralSecurityException {
        Certificate[] chain;
        try (InputStream in = Files.newInputStream(Path.of(tls.certFile()))) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(new Certificate[0]);
        }
        String pem = Files.readString(Path.of(tls.keyFile()), StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException(tls.keyFile() + " is not an unencrypted PKCS#8 PEM key "
                    + "(BEGIN PRIVATE KEY); convert it with: openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        PrivateKey key;
        try {
            key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (InvalidKeySpecException notRsa) {
            key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setKeyEntry("client", key, new char[0], chain);
        KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        f.init(store, new char[0]);
        return f.getKeyManagers();
    }

    /** {@code insecure_skip_verify}: accepts any certificate and any host name. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
