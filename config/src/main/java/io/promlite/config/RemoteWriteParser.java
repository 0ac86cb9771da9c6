package io.promlite.config;

import io.promlite.config.RemoteWriteConfig.Authorization;
import io.promlite.config.RemoteWriteConfig.BasicAuth;
import io.promlite.config.RemoteWriteConfig.MetadataConfig;
import io.promlite.config.RemoteWriteConfig.QueueConfig;
import io.promlite.config.RemoteWriteConfig.TlsConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/** The {@code remote_write} section, with Prometheus's defaults, validation and error texts. */
final class RemoteWriteParser {
    /** Headers remote write sets itself (Prometheus's {@code reservedHeaders} in config.go). */
    private static final Set<String> RESERVED_HEADERS = Set.of(
            "authorization", "host", "content-encoding", "content-length", "content-type", "user-agent",
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "www-authenticate",
            "accept-encoding", "x-prometheus-remote-write-version", "x-prometheus-remote-read-version");
    /** HTTP client fields Prometheus accepts that promlite's sender does not implement. */
    private static final Set<String> IGNORED = Set.of(
            "oauth2", "sigv4", "azuread", "google_iam", "proxy_url", "no_proxy", "proxy_from_environment",
            "proxy_connect_header", "follow_redirects", "enable_http2", "send_exemplars",
            "send_native_histograms", "round_robin_dns", "protobuf_message", "bearer_token", "bearer_token_file");

    interface RelabelParser {
        List<RelabelConfig> parse(Node node, String path) throws ConfigException;
    }

    private final YamlNodes y;
    private final Path baseDir;
    private final RelabelParser relabelParser;
    private final IgnoredFieldHandler ignored;

    interface IgnoredFieldHandler {
        boolean ignore(Set<String> ignored, String key, String path);
    }

    RemoteWriteParser(YamlNodes y, Path baseDir, RelabelParser relabelParser, IgnoredFieldHandler ignored) {
        this.y = y;
        this.baseDir = baseDir;
        this.relabelParser = relabelParser;
        this.ignored = ignored;
    }

    List<RemoteWriteConfig> parse(Node node) throws ConfigException {
        List<Node> items = y.sequence(node, "remote_write");
        List<RemoteWriteConfig> out = new ArrayList<>(items.size());
        Set<String> names = new HashSet<>();
        Set<String> queueNames = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String path = "remote_write[" + i + "]";
            Node item = items.get(i);
            if (YamlNodes.isNull(item)) {
                throw y.error(item, path, "empty or null remote write config section");
            }
            RemoteWriteConfig c = parseOne(item, path);
            if (!c.name().isEmpty() && !names.add(c.name())) {
                throw y.error(item, path + ".name",
                        "found multiple remote write configs with job name \"" + c.name() + "\"");
            }
            // Unnamed entries are named after their URL: two of them would share one queue.
            if (!queueNames.add(c.queueName())) {
                throw y.error(item, path + ".url",
                        "duplicate remote write configs are not allowed, found duplicate for URL: " + c.url());
            }
            out.add(c);
        }
        return out;
    }

    private RemoteWriteConfig parseOne(Node node, String path) throws ConfigException {
        var f = new Object() {
            String url;
            Node urlNode;
            String name = "";
            Duration remoteTimeout;
            Map<String, String> headers = Map.of();
            BasicAuth basicAuth;
            Authorization authorization;
            TlsConfig tls = TlsConfig.NONE;
            List<RelabelConfig> relabel = List.of();
            QueueConfig queue = QueueConfig.DEFAULT;
            MetadataConfig metadata = MetadataConfig.DEFAULT;
        };
        y.fields(node, path, "config.RemoteWriteConfig", (key, value, p) -> {
            switch (key) {
                case "url" -> {
                    f.url = y.string(value, p);
                    f.urlNode = value;
                }
                case "name" -> f.name = nullToEmpty(y.string(value, p));
                case "remote_timeout" -> f.remoteTimeout = y.duration(value, p);
                case "headers" -> {
                    f.headers = y.stringMap(value, p, (name, v, hp) -> {
                        if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                            throw y.error(v, hp, name + " is a reserved header. It must not be changed");
                        }
                    });
                }
                case "basic_auth" -> f.basicAuth = parseBasicAuth(value, p);
                case "authorization" -> f.authorization = parseAuthorization(value, p);
                case "tls_config" -> f.tls = parseTls(value, p);
                case "write_relabel_configs" -> f.relabel = relabelParser.parse(value, p);
                case "queue_config" -> f.queue = parseQueue(value, p);
                case "metadata_config" -> f.metadata = parseMetadata(value, p);
                default -> {
                    return ignored.ignore(IGNORED, key, p);
                }
            }
            return true;
        });
        if (f.url == null || f.url.isEmpty()) {
            throw y.error(f.urlNode != null ? f.urlNode : node, path + ".url", "url for remote_write is empty");
        }
        checkUrl(f.url, f.urlNode, path + ".url");
        if (f.basicAuth != null && f.authorization != null) {
            throw y.error(node, path, "at most one of basic_auth, oauth2 & authorization must be configured");
        }
        Duration timeout = f.remoteTimeout == null || f.remoteTimeout.isZero()
                ? RemoteWriteConfig.DEFAULT_REMOTE_TIMEOUT : f.remoteTimeout;
        return new RemoteWriteConfig(f.url, f.name, timeout, f.headers, f.basicAuth, f.authorization, f.tls,
                f.relabel, f.queue, f.metadata);
    }

    private void checkUrl(String url, Node node, String path) throws ConfigException {
        try {
            URI uri = new URI(url);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw y.error(node, path, "remote_write url must be an http or https URL with a host, got \"" + url + "\"");
            }
        } catch (URISyntaxException e) {
            throw y.error(node, path, "parse \"" + url + "\": " + e.getReason());
        }
    }

    private BasicAuth parseBasicAuth(Node node, String path) throws ConfigException {
        String[] v = {"", "", ""};
        y.fields(node, path, "config.BasicAuth", (key, value, p) -> {
            switch (key) {
                case "username" -> v[0] = nullToEmpty(y.string(value, p));
                case "password" -> v[1] = nullToEmpty(y.string(value, p));
                case "password_file" -> v[2] = resolve(nullToEmpty(y.string(value, p)));
                case "username_file" -> throw y.error(value, p, "username_file is not supported by promlite");
                default -> {
                    return false;
                }
            }
            return true;
        });
        if (!v[1].isEmpty() && !v[2].isEmpty()) {
            throw y.error(node, path, "at most one of basic_auth password & password_file must be configured");
        }
        return new BasicAuth(v[0], v[1], v[2]);
    }

    private Authorization parseAuthorization(Node node, String path) throws ConfigException {
        String[] v = {"", "", ""};
        y.fields(node, path, "config.Authorization", (key, value, p) -> {
            switch (key) {
                case "type" -> v[0] = nullToEmpty(y.string(value, p));
                case "credentials" -> v[1] = nullToEmpty(y.string(value, p));
                case "credentials_file" -> v[2] = resolve(nullToEmpty(y.string(value, p)));
                default -> {
                    return false;
                }
            }
            return true;
        });
        if (!v[1].isEmpty() && !v[2].isEmpty()) {
            throw y.error(node, path, "at most one of authorization credentials & credentials_file must be configured");
        }
        String type = v[0].isEmpty() ? Authorization.DEFAULT_TYPE : v[0];
        if (type.equalsIgnoreCase("basic")) {
            throw y.error(node, path + ".type", "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
        }
        return new Authorization(type, v[1], v[2]);
    }

    private TlsConfig parseTls(Node node, String path) throws ConfigException {
        String[] v = {"", "", "", ""};
        boolean[] skip = {false};
        y.fields(node, path, "config.TLSConfig", (key, value, p) -> {
            switch (key) {
                case "ca_file" -> v[0] = resolve(nullToEmpty(y.string(value, p)));
                case "cert_file" -> v[1] = resolve(nullToEmpty(y.string(value, p)));
                case "key_file" -> v[2] = resolve(nullToEmpty(y.string(value, p)));
                case "server_name" -> v[3] = nullToEmpty(y.string(value, p));
                case "insecure_skip_verify" -> skip[0] = y.bool(value, p, false);
                case "min_version", "max_version" -> {
                    return ignored.ignore(Set.of(key), key, p);
                }
                default -> {
                    return false;
                }
            }
            return true;
        });
        if (v[1].isEmpty() != v[2].isEmpty()) {
            throw y.error(node, path, v[1].isEmpty()
                    ? "exactly one of key or key_file must be configured when a client certificate is configured"
                    : "exactly one of cert or cert_file must be configured when a client key is configured");
        }
        return new TlsConfig(v[0], v[1], v[2], v[3], skip[0]);
    }

    private QueueConfig parseQueue(Node node, String path) throws ConfigException {
        QueueConfig d = QueueConfig.DEFAULT;
        var q = new Object() {
            long capacity = d.capacity();
            long maxShards = d.maxShards();
            long minShards = d.minShards();
            long maxSamples = d.maxSamplesPerSend();
            Duration deadline = d.batchSendDeadline();
            Duration minBackoff = d.minBackoff();
            Duration maxBackoff = d.maxBackoff();
            boolean retry429 = d.retryOnHttp429();
        };
        y.fields(node, path, "config.QueueConfig", (key, value, p) -> {
            switch (key) {
                case "capacity" -> q.capacity = positive(value, p);
                case "max_shards" -> q.maxShards = positive(value, p);
                case "min_shards" -> q.minShards = positive(value, p);
                case "max_samples_per_send" -> q.maxSamples = positive(value, p);
                case "batch_send_deadline" -> q.deadline = positiveDuration(value, p);
                case "min_backoff" -> q.minBackoff = positiveDuration(value, p);
                case "max_backoff" -> q.maxBackoff = positiveDuration(value, p);
                case "retry_on_http_429" -> q.retry429 = y.bool(value, p, true);
                case "sample_age_limit" -> {
                    return ignored.ignore(Set.of(key), key, p);
                }
                default -> {
                    return false;
                }
            }
            return true;
        });
        if (q.minShards > q.maxShards) {
            throw y.error(node, path, "min_shards (" + q.minShards + ") must not exceed max_shards (" + q.maxShards + ")");
        }
        if (q.minBackoff.compareTo(q.maxBackoff) > 0) {
            throw y.error(node, path, "min_backoff must not exceed max_backoff");
        }
        return new QueueConfig((int) q.capacity, (int) q.maxShards, (int) q.minShards, (int) q.maxSamples,
                q.deadline, q.minBackoff, q.maxBackoff, q.retry429);
    }

    private MetadataConfig parseMetadata(Node node, String path) throws ConfigException {
        MetadataConfig d = MetadataConfig.DEFAULT;
        var m = new Object() {
            boolean send = d.send();
            Duration interval = d.sendInterval();
            long max = d.maxSamplesPerSend();
        };
        y.fields(node, path, "config.MetadataConfig", (key, value, p) -> {
            switch (key) {
                case "send" -> m.send = y.bool(value, p, true);
                case "send_interval" -> m.interval = positiveDuration(value, p);
                case "max_samples_per_send" -> m.max = positive(value, p);
                default -> {
                    return false;
                }
            }
            return true;
        });
        return new MetadataConfig(m.send, m.interval, (int) m.max);
    }

    private long positive(Node value, String path) throws ConfigException {
        long v = y.unsigned(value, path, Integer.MAX_VALUE);
        if (v == 0) {
            throw y.error(value, path, path.substring(path.lastIndexOf('.') + 1) + " must be greater than 0");
        }
        return v;
    }

    private Duration positiveDuration(Node value, String path) throws ConfigException {
        Duration d = y.duration(value, path);
        if (d == null || d.isZero()) {
            throw y.error(value, path, path.substring(path.lastIndexOf('.') + 1) + " must be greater than 0");
        }
        return d;
    }

    private String resolve(String file) {
        if (file.isEmpty() || baseDir == null) {
            return file;
        }
        return baseDir.resolve(file).toString();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
