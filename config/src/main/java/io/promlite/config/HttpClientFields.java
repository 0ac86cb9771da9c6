package io.promlite.config;

import static io.promlite.config.YamlNodes.nullToEmpty;

import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The HTTP client settings scrape jobs and {@code remote_write} entries share (Prometheus's
 * {@code HTTPClientConfig}, inlined in both): credentials and TLS, read field by field with
 * Prometheus's validation and wording. One instance per job or entry.
 */
final class HttpClientFields {
    private static final Set<String> IGNORED_TLS = Set.of("min_version", "max_version");

    private final YamlNodes y;
    private HttpAuth.Basic basicAuth;
    private HttpAuth.Credentials authorization;
    private String bearerToken;
    private String bearerTokenFile;
    /** The last credential field read, where a conflict between them is reported. */
    private Node authNode;
    private TlsConfig tls = TlsConfig.DEFAULT;

    HttpClientFields(YamlNodes y) {
        this.y = y;
    }

    /** Reads one of the shared fields; false when {@code key} is not one of them. */
    boolean read(String key, Node value, String path) throws ConfigException {
        switch (key) {
            case "basic_auth" -> basicAuth = parseBasicAuth(value, path);
            case "authorization" -> authorization = parseAuthorization(value, path);
            case "bearer_token" -> bearerToken = y.string(value, path);
            case "bearer_token_file" -> bearerTokenFile = y.file(value, path);
            case "tls_config" -> {
                tls = parseTls(value, path);
                return true;
            }
            default -> {
                return false;
            }
        }
        authNode = value;
        return true;
    }

    TlsConfig tls() {
        return tls;
    }

    /**
     * The credentials, or null for none: Prometheus's {@code HTTPClientConfig.Validate} rules for
     * combining the fields, in its order and wording; {@code bearer_token} and
     * {@code bearer_token_file} are shorthands for a Bearer {@code authorization}.
     */
    HttpAuth auth(String path) throws ConfigException {
        boolean token = isSet(bearerToken);
        boolean tokenFile = isSet(bearerTokenFile);
        if (token && tokenFile) {
            throw y.error(authNode, path, "at most one of bearer_token & bearer_token_file must be configured");
        }
        boolean bearer = token || tokenFile;
        if (basicAuth != null && bearer) {
            throw y.error(authNode, path,
                    "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
        }
        if (authorization != null) {
            if (bearer) {
                throw y.error(authNode, path, "authorization is not compatible with bearer_token & bearer_token_file");
            }
            if (basicAuth != null) {
                throw y.error(authNode, path, "at most one of basic_auth, oauth2 & authorization must be configured");
            }
            return authorization;
        }
        if (bearer) {
            return new HttpAuth.Credentials("Bearer", token ? bearerToken : null, tokenFile ? bearerTokenFile : null);
        }
        return basicAuth;
    }

    private HttpAuth.Basic parseBasicAuth(Node node, String path) throws ConfigException {
        String[] v = new String[3];
        y.fields(node, path, "config.BasicAuth", (key, value, p) -> {
            switch (key) {
                case "username" -> v[0] = y.string(value, p);
                case "password" -> v[1] = y.string(value, p);
                case "password_file" -> v[2] = y.file(value, p);
                case "username_file" -> throw y.error(value, p, "username_file is not supported by promlite");
                default -> {
                    return false;
                }
            }
            return true;
        });
        if (isSet(v[1]) && isSet(v[2])) {
            throw y.error(node, path, "at most one of basic_auth password & password_file must be configured");
        }
        return new HttpAuth.Basic(nullToEmpty(v[0]), nullToEmpty(v[1]), v[2]);
    }

    private HttpAuth.Credentials parseAuthorization(Node node, String path) throws ConfigException {
        String[] v = new String[3];
        y.fields(node, path, "config.Authorization", (key, value, p) -> {
            switch (key) {
                case "type" -> v[0] = y.string(value, p);
                case "credentials" -> v[1] = y.string(value, p);
                case "credentials_file" -> v[2] = y.file(value, p);
                default -> {
                    return false;
                }
            }
            return true;
        });
        if (isSet(v[1]) && isSet(v[2])) {
            throw y.error(node, path, "at most one of authorization credentials & credentials_file must be configured");
        }
        String type = nullToEmpty(v[0]).trim();
        if (type.isEmpty()) {
            type = "Bearer";
        }
        if (type.equalsIgnoreCase("basic")) {
            throw y.error(node, path, "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
        }
        return new HttpAuth.Credentials(type, nullToEmpty(v[1]), v[2]);
    }

    private TlsConfig parseTls(Node node, String path) throws ConfigException {
        String[] v = new String[7];
        boolean[] insecure = {false};
        y.fields(node, path, "config.TLSConfig", (key, value, p) -> {
            switch (key) {
                case "ca" -> v[0] = y.string(value, p);
                case "ca_file" -> v[1] = y.file(value, p);
                case "cert" -> v[2] = y.string(value, p);
                case "cert_file" -> v[3] = y.file(value, p);
                case "key" -> v[4] = y.string(value, p);
                case "key_file" -> v[5] = y.file(value, p);
                // Empty is unset, as in Prometheus: the URL's host is the name to verify.
                case "server_name" -> v[6] = emptyToNull(y.string(value, p));
                case "insecure_skip_verify" -> insecure[0] = y.bool(value, p, false);
                default -> {
                    return y.ignored(IGNORED_TLS.contains(key), p);
                }
            }
            return true;
        });
        // Prometheus's TLSConfig.Validate rules and wording.
        String problem = null;
        if (v[0] != null && v[1] != null) {
            problem = "at most one of ca and ca_file must be configured";
        } else if (v[2] != null && v[3] != null) {
            problem = "at most one of cert and cert_file must be configured";
        } else if (v[4] != null && v[5] != null) {
            problem = "at most one of key and key_file must be configured";
        } else if ((v[2] != null || v[3] != null) && v[4] == null && v[5] == null) {
            problem = "exactly one of key or key_file must be configured when a client certificate is configured";
        } else if ((v[4] != null || v[5] != null) && v[2] == null && v[3] == null) {
            problem = "exactly one of cert or cert_file must be configured when a client key is configured";
        }
        if (problem != null) {
            throw y.error(node, path, problem);
        }
        return new TlsConfig(v[0], v[1], v[2], v[3], v[4], v[5], v[6], insecure[0]);
    }

    private static String emptyToNull(String s) {
        return isSet(s) ? s : null;
    }

    private static boolean isSet(String s) {
        return s != null && !s.isEmpty();
    }
}
