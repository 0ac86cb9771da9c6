package io.promlite.scraper.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.promlite.config.TlsConfig;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Netty's client TLS context for a {@code tls_config}, the one both promlite's HTTP clients (the
 * scraper and remote write's sender) use. The context only verifies certificates; the name they
 * must hold is the one the caller passes to {@link SslContext#newHandler} as the peer host, which
 * is also sent as SNI: {@code server_name} when set, else the URL's host.
 */
public final class TlsClientContext {
    private TlsClientContext() {
    }

    /**
     * Builds the context: the CA (inline or file; the system's trusted roots when unset), the
     * client certificate and its unencrypted PKCS#8 PEM key (inline or files), host name
     * verification unless {@code insecure_skip_verify}. Reads the files it names.
     *
     * @throws IOException with Prometheus's wording when a certificate or key cannot be loaded
     */
    public static SslContext build(TlsConfig tls) throws IOException {
        SslContextBuilder b = SslContextBuilder.forClient();
        try {
            if (tls.insecureSkipVerify()) {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
            } else {
                b.endpointIdentificationAlgorithm("HTTPS");
                if (tls.caFile() != null) {
                    b.trustManager(new File(tls.caFile()));
                } else if (tls.ca() != null) {
                    b.trustManager(pem(tls.ca()));
                }
            }
        } catch (RuntimeException e) {
            throw new IOException("unable to load specified CA cert " + (tls.caFile() != null ? tls.caFile() : "(inline)")
                    + ": " + e.getMessage(), e);
        }
        try {
            if (tls.certFile() != null || tls.cert() != null) {
                InputStream cert = tls.certFile() != null ? new FileInputStream(tls.certFile()) : pem(tls.cert());
                InputStream key = tls.keyFile() != null ? new FileInputStream(tls.keyFile()) : pem(tls.key());
                try (cert; key) {
                    b.keyManager(cert, key);
                }
            }
            return b.build();
        } catch (IOException | RuntimeException e) {
            // Prometheus names the files here, empty for inline PEM.
            throw new IOException("unable to use specified client cert (" + Objects.toString(tls.certFile(), "")
                    + ") & key (" + Objects.toString(tls.keyFile(), "") + "): " + e.getMessage(), e);
        }
    }

    private static InputStream pem(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }
}
