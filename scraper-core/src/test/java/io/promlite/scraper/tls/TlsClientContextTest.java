package io.promlite.scraper.tls;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.config.TlsConfig;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class TlsClientContextTest {
    @Test
    void anUnusableInlineClientCertificateIsReportedWithEmptyFileNamesAsPrometheusDoes() {
        TlsConfig inline = new TlsConfig(null, null, "not a certificate", null, "not a key", null, null, false);
        IOException e = assertThrows(IOException.class, () -> TlsClientContext.build(inline));
        assertTrue(e.getMessage().startsWith("unable to use specified client cert () & key (): "), e.getMessage());
    }

    @Test
    void aMissingClientCertificateFileIsNamed() {
        TlsConfig files = new TlsConfig(null, null, null, "/nonexistent/c.pem", null, "/nonexistent/k.pem", null, false);
        IOException e = assertThrows(IOException.class, () -> TlsClientContext.build(files));
        assertTrue(e.getMessage().startsWith("unable to use specified client cert (/nonexistent/c.pem) & key (/nonexistent/k.pem): "),
                e.getMessage());
    }
}
