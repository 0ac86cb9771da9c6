package io.promlite.config;

import static io.promlite.config.YamlNodes.nullToEmpty;

import io.promlite.config.RemoteWriteConfig.Authorization;
import io.promlite.config.RemoteWriteConfig.BasicAuth;
import io.promlite.config.RemoteWriteConfig.MetadataConfig;
import io.promlite.config.RemoteWriteConfig.QueueConfig;
import java.net.URI;
import java.net.URISyntaxException;
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
            "send_native_histograms", "round_robin_dns", "protobuf_message");

    interface RelabelParser {
        List<RelabelConfig> parse(Node node, String path) throws ConfigException;
    }

    private final YamlNodes y;
    private final RelabelParser relabelParser;

    RemoteWriteParser(YamlNodes y, RelabelParser relabelParser) {
        this.y = y;
        this.relabelParser = relabelParser;
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
        HttpClientFields http = new HttpClientFields(y);
        var f = new Object() {
            String url;
            Node urlNode;
            String name = "";
            Duration remoteTimeout;
            Map<String, String> headers = Map.of();
            List<RelabelConfig> relabel = List.of();
            QueueConfig queue = QueueConfig.DEFAULT;
            MetadataConfig metadata = MetadataConfig.DEFAULT;
        };
        y.fields(node, path, "config.RemoteWriteConfig", (key, value, p) -> {
            if (http.read(key, value, p)) {
                return true;
            }
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
                case "write_relabel_configs" -> f.relabel = relabelParser.parse(value, p);
                case "queue_config" -> f.queue = parseQueue(value, p);
                case "metadata_config" -> f.metadata = parseMetadata(value, p);
                default -> {
                    return y.ignored(IGNORED.contains(key), p);
                }
            }
            return true;
        });
        if (f.url == null || f.url.isEmpty()) {
            throw y.error(f.urlNode != null ? f.urlNode : node, path + ".url", "url for remote_write is empty");
        }
        checkUrl(f.url, f.urlNode, path + ".url");
        HttpAuth auth = http.auth(path);
        BasicAuth basicAuth = auth instanceof HttpAuth.Basic b
                ? new BasicAuth(b.username(), b.password(), nullToEmpty(b.passwordFile())) : null;
        Authorization authorization = auth instanceof HttpAuth.Credentials c
                ? new Authorization(c.type(), nullToEmpty(c.credentials()), nullToEmpty(c.credentialsFile())) : null;
        Duration timeout = f.remoteTimeout == null || f.remoteTimeout.isZero()
                ? RemoteWriteConfig.DEFAULT_REMOTE_TIMEOUT : f.remoteTimeout;
        return new RemoteWriteConfig(f.url, f.name, timeout, f.headers, basicAuth, authorization,
                http.tls(), f.relabel, f.queue, f.metadata);
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
                    return y.ignored(true, p);
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
}
