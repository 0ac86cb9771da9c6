package io.promlite.config;

/**
 * A {@code tls_config} (Prometheus's common {@code TLSConfig}), of a scrape job for https targets
 * or of a {@code remote_write} entry for an https URL. CA and client certificate may be given inline
 * (PEM) or as files (relative paths resolve against the config file's directory); null fields
 * are unset. Without a CA the system's trusted roots apply.
 *
 * @param serverName the name to expect in the server's certificate (and send as SNI), or null for the URL's host
 */
public record TlsConfig(String ca, String caFile, String cert, String certFile, String key, String keyFile,
                        String serverName, boolean insecureSkipVerify) {
    /** No settings: system roots, hostname verification, no client certificate. */
    public static final TlsConfig DEFAULT = new TlsConfig(null, null, null, null, null, null, null, false);
}
