package io.promlite.config;

/**
 * A job's {@code tls_config} for https targets. CA and client certificate may be given inline
 * (PEM) or as files (relative paths resolve against the config file's directory); null fields
 * are unset. Without a CA the system's trusted roots apply.
 *
 * @param serverName the name to expect in the target's certificate (and send as SNI), or null for the target's host
 */
public record TlsConfig(String ca, String caFile, String cert, String certFile, String key, String keyFile,
                        String serverName, boolean insecureSkipVerify) {
    /** No settings: system roots, hostname verification, no client certificate. */
    public static final TlsConfig DEFAULT = new TlsConfig(null, null, null, null, null, null, null, false);
}
