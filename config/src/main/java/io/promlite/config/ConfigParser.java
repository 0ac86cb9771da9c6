package io.promlite.config;

import static io.promlite.config.YamlNodes.nullToEmpty;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Turns a composed YAML tree into config records with Prometheus's defaults and validation.
 * Fields Prometheus knows but promlite does not implement are accepted with a warning so an
 * existing {@code prometheus.yml} still loads; fields Prometheus does not know are errors.
 */
final class ConfigParser {
    private static final Set<String> IGNORED_TOP_LEVEL = Set.of(
            "runtime", "alerting", "rule_files", "scrape_config_files", "storage", "tracing",
            "remote_read", "otlp");
    private static final Set<String> IGNORED_GLOBAL = Set.of(
            "evaluation_interval", "rule_query_offset", "query_log_file", "scrape_failure_log_file",
            "scrape_protocols", "target_limit", "keep_dropped_targets", "metric_name_validation_scheme",
            "metric_name_escaping_scheme", "always_scrape_classic_histograms",
            "convert_classic_histograms_to_nhcb", "scrape_native_histograms");
    private static final Set<String> IGNORED_SCRAPE = Set.of(
            "track_timestamps_staleness", "scrape_protocols", "fallback_scrape_protocol",
            "scrape_classic_histograms", "always_scrape_classic_histograms",
            "convert_classic_histograms_to_nhcb", "scrape_native_histograms",
            "target_limit", "native_histogram_bucket_limit", "native_histogram_min_bucket_factor",
            "keep_dropped_targets", "metric_name_validation_scheme", "metric_name_escaping_scheme",
            "scrape_failure_log_file", "oauth2", "proxy_url", "no_proxy", "proxy_from_environment",
            "proxy_connect_header", "enable_http2", "http_headers");

    // Prometheus's relabel target rule: a label name that may contain $1 / ${name} references.
    private static final Pattern RELABEL_TARGET = Pattern.compile("^(?:(?:[a-zA-Z_]|\\$(?:\\{\\w+\\}|\\w+))+\\w*)+$");

    // Prometheus's rule for file_sd paths: a YAML or JSON file, a '*' only in the last element.
    private static final Pattern FILE_SD_PATH = Pattern.compile("^[^*]*(\\*[^/]*)?\\.(json|yml|yaml|JSON|YML|YAML)$");

    private final String sourceName;
    private final YamlNodes y;

    /**
     * @param baseDir the directory relative file paths (file_sd, secrets, certificates) resolve
     *                against, or null to leave them as written
     */
    ConfigParser(String sourceName, Path baseDir) {
        this.sourceName = sourceName;
        this.y = new YamlNodes(sourceName, baseDir);
    }

    List<StaticConfig> parseTargetGroups(String content) throws ConfigException {
        Node root = compose(content);
        List<Node> items = y.sequence(root, "");
        List<StaticConfig> groups = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            groups.add(parseStaticConfig(items.get(i), "[" + i + "]", false));
        }
        return groups;
    }

    PromliteConfig parse(String yaml) throws ConfigException {
        Node root = compose(yaml);
        Node[] globalNode = {null};
        Node[] scrapeNode = {null};
        Node[] remoteWriteNode = {null};
        y.fields(root, "", "config.Config", (key, value, path) -> {
            switch (key) {
                case "global" -> globalNode[0] = value;
                case "scrape_configs" -> scrapeNode[0] = value;
                case "remote_write" -> remoteWriteNode[0] = value;
                default -> {
                    return y.ignored(IGNORED_TOP_LEVEL.contains(key), path);
                }
            }
            return true;
        });
        Defaults defaults = parseGlobal(globalNode[0]);
        List<ScrapeConfig> scrapeConfigs = new ArrayList<>();
        Map<String, Node> jobNames = new HashMap<>();
        List<Node> items = y.sequence(scrapeNode[0], "scrape_configs");
        for (int i = 0; i < items.size(); i++) {
            String path = "scrape_configs[" + i + "]";
            Node item = items.get(i);
            if (YamlNodes.isNull(item)) {
                throw y.error(item, path, "empty or null scrape config section");
            }
            ScrapeConfig sc = parseScrapeConfig(item, path, defaults, jobNames);
            scrapeConfigs.add(sc);
        }
        List<RemoteWriteConfig> remoteWrite = new RemoteWriteParser(y, this::parseRelabelConfigs)
                .parse(remoteWriteNode[0]);
        return new PromliteConfig(defaults.global, scrapeConfigs, remoteWrite, yaml);
    }

    private Node compose(String yaml) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        try {
            return new Yaml(options).compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            if (e.getContext() != null) {
                problem = e.getContext() + ": " + problem;
            }
            return throwAt(mark, "invalid YAML: " + problem);
        } catch (YAMLException e) {
            throw new ConfigException(sourceName, 0, 0, null, "invalid YAML: " + e.getMessage());
        }
    }

    private Node throwAt(Mark mark, String problem) throws ConfigException {
        int line = mark == null ? 0 : mark.getLine() + 1;
        int column = mark == null ? 0 : mark.getColumn() + 1;
        throw new ConfigException(sourceName, line, column, null, problem);
    }

    /** The global section plus the per-job limits it defaults. */
    private record Defaults(GlobalConfig global, long bodySizeLimit, int sampleLimit, int labelLimit,
                            int labelNameLengthLimit, int labelValueLengthLimit) {
    }

    /** Values shared by global and per-job sections, null/0 while unset. */
    private static final class CommonFields {
        Duration interval;
        Duration timeout;
        Node timeoutNode;
        long bodySizeLimit;
        int sampleLimit;
        int labelLimit;
        int labelNameLengthLimit;
        int labelValueLengthLimit;

        /** Reads one of the shared fields; false when {@code key} is not one of them. */
        boolean read(YamlNodes y, String key, Node value, String path) throws ConfigException {
            switch (key) {
                case "scrape_interval" -> interval = y.duration(value, path);
                case "scrape_timeout" -> {
                    timeout = y.duration(value, path);
                    timeoutNode = value;
                }
                case "body_size_limit" -> bodySizeLimit = y.size(value, path);
                case "sample_limit" -> sampleLimit = (int) y.unsigned(value, path, Integer.MAX_VALUE);
                case "label_limit" -> labelLimit = (int) y.unsigned(value, path, Integer.MAX_VALUE);
                case "label_name_length_limit" -> labelNameLengthLimit = (int) y.unsigned(value, path, Integer.MAX_VALUE);
                case "label_value_length_limit" -> labelValueLengthLimit = (int) y.unsigned(value, path, Integer.MAX_VALUE);
                default -> {
                    return false;
                }
            }
            return true;
        }
    }

    private Defaults parseGlobal(Node node) throws ConfigException {
        CommonFields c = new CommonFields();
        Map<String, String> externalLabels = new LinkedHashMap<>();
        y.fields(node, "global", "config.GlobalConfig", (key, value, path) -> {
            if (c.read(y, key, value, path)) {
                return true;
            }
            if (key.equals("external_labels")) {
                externalLabels.putAll(labelMap(value, path));
                return true;
            }
            return y.ignored(IGNORED_GLOBAL.contains(key), path);
        });
        // Prometheus treats a zero duration as unset.
        Duration interval = isUnset(c.interval) ? GlobalConfig.DEFAULT_SCRAPE_INTERVAL : c.interval;
        Duration timeout = c.timeout;
        if (isUnset(timeout)) {
            timeout = GlobalConfig.DEFAULT_SCRAPE_TIMEOUT.compareTo(interval) > 0
                    ? interval : GlobalConfig.DEFAULT_SCRAPE_TIMEOUT;
        } else if (timeout.compareTo(interval) > 0) {
            throw y.error(c.timeoutNode, "global.scrape_timeout", "global scrape timeout greater than scrape interval");
        }
        return new Defaults(new GlobalConfig(interval, timeout, externalLabels), c.bodySizeLimit, c.sampleLimit,
                c.labelLimit, c.labelNameLengthLimit, c.labelValueLengthLimit);
    }

    private static boolean isUnset(Duration d) {
        return d == null || d.isZero();
    }

    private ScrapeConfig parseScrapeConfig(Node node, String path, Defaults defaults, Map<String, Node> jobNames)
            throws ConfigException {
        CommonFields c = new CommonFields();
        HttpClientFields http = new HttpClientFields(y);
        var f = new Object() {
            String jobName;
            Node jobNameNode;
            String metricsPath;
            String scheme;
            Node schemeNode;
            boolean honorLabels;
            boolean honorTimestamps = true;
            boolean enableCompression = true;
            boolean followRedirects = true;
            final Map<String, List<String>> params = new LinkedHashMap<>();
            final List<StaticConfig> staticConfigs = new ArrayList<>();
            final List<FileSdConfig> fileSdConfigs = new ArrayList<>();
            final List<DnsSdConfig> dnsSdConfigs = new ArrayList<>();
            List<RelabelConfig> relabelConfigs = List.of();
            List<RelabelConfig> metricRelabelConfigs = List.of();
        };
        y.fields(node, path, "config.ScrapeConfig", (key, value, p) -> {
            if (c.read(y, key, value, p) || http.read(key, value, p)) {
                return true;
            }
            switch (key) {
                case "job_name" -> {
                    f.jobName = y.string(value, p);
                    f.jobNameNode = value;
                }
                case "metrics_path" -> f.metricsPath = y.string(value, p);
                case "scheme" -> {
                    f.scheme = y.string(value, p);
                    f.schemeNode = value;
                }
                case "honor_labels" -> f.honorLabels = y.bool(value, p, false);
                case "honor_timestamps" -> f.honorTimestamps = y.bool(value, p, true);
                case "enable_compression" -> f.enableCompression = y.bool(value, p, true);
                case "follow_redirects" -> f.followRedirects = y.bool(value, p, true);
                case "params" -> y.fields(value, p, "url.Values", (name, values, vp) -> {
                    f.params.put(name, y.stringList(values, vp));
                    return true;
                });
                case "static_configs" -> {
                    List<Node> groups = y.sequence(value, p);
                    for (int i = 0; i < groups.size(); i++) {
                        f.staticConfigs.add(parseStaticConfig(groups.get(i), p + "[" + i + "]", true));
                    }
                }
                case "dns_sd_configs" -> {
                    List<Node> entries = y.sequence(value, p);
                    for (int i = 0; i < entries.size(); i++) {
                        f.dnsSdConfigs.add(parseDnsSdConfig(entries.get(i), p + "[" + i + "]"));
                    }
                }
                case "file_sd_configs" -> {
                    List<Node> entries = y.sequence(value, p);
                    for (int i = 0; i < entries.size(); i++) {
                        f.fileSdConfigs.add(parseFileSdConfig(entries.get(i), p + "[" + i + "]"));
                    }
                }
                case "relabel_configs" -> f.relabelConfigs = parseRelabelConfigs(value, p);
                case "metric_relabel_configs" -> f.metricRelabelConfigs = parseRelabelConfigs(value, p);
                default -> {
                    // Prometheus knows many service discoveries; promlite implements file and DNS.
                    return y.ignored(IGNORED_SCRAPE.contains(key) || key.endsWith("_sd_configs"), p);
                }
            }
            return true;
        });

        if (f.jobName == null || f.jobName.isEmpty()) {
            throw y.error(f.jobNameNode != null ? f.jobNameNode : node, path + ".job_name", "job_name is empty");
        }
        if (jobNames.putIfAbsent(f.jobName, f.jobNameNode) != null) {
            throw y.error(f.jobNameNode, path + ".job_name",
                    "found multiple scrape configs with job name \"" + f.jobName + "\"");
        }
        HttpAuth auth = http.auth(path);
        String scheme = f.scheme == null || f.scheme.isEmpty() ? ScrapeConfig.DEFAULT_SCHEME : f.scheme;
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw y.error(f.schemeNode, path + ".scheme", "scheme must be \"http\" or \"https\", got \"" + scheme + "\"");
        }
        String metricsPath = f.metricsPath == null || f.metricsPath.isEmpty()
                ? ScrapeConfig.DEFAULT_METRICS_PATH : f.metricsPath;

        // Prometheus's order: resolve the interval, check an explicit timeout against it, then
        // default the timeout to the global one clamped to the interval.
        Duration interval = isUnset(c.interval) ? defaults.global.scrapeInterval() : c.interval;
        Duration timeout = c.timeout;
        if (!isUnset(timeout) && timeout.compareTo(interval) > 0) {
            throw y.error(c.timeoutNode, path + ".scrape_timeout",
                    "scrape timeout greater than scrape interval for scrape config with job name \"" + f.jobName + "\"");
        }
        if (isUnset(timeout)) {
            Duration global = defaults.global.scrapeTimeout();
            timeout = global.compareTo(interval) > 0 ? interval : global;
        }
        return new ScrapeConfig(f.jobName, interval, timeout, metricsPath, scheme, f.staticConfigs,
                f.honorLabels, f.honorTimestamps, f.params,
                c.sampleLimit != 0 ? c.sampleLimit : defaults.sampleLimit,
                c.labelLimit != 0 ? c.labelLimit : defaults.labelLimit,
                c.labelNameLengthLimit != 0 ? c.labelNameLengthLimit : defaults.labelNameLengthLimit,
                c.labelValueLengthLimit != 0 ? c.labelValueLengthLimit : defaults.labelValueLengthLimit,
                c.bodySizeLimit != 0 ? c.bodySizeLimit : defaults.bodySizeLimit,
                f.relabelConfigs, f.metricRelabelConfigs, f.fileSdConfigs, f.dnsSdConfigs, f.enableCompression, auth,
                http.tls(), f.followRedirects);
    }

    private DnsSdConfig parseDnsSdConfig(Node node, String path) throws ConfigException {
        var f = new Object() {
            List<String> names = List.of();
            String type = DnsSdConfig.DEFAULT_TYPE;
            Node typeNode = node;
            int port;
            Duration refresh = DnsSdConfig.DEFAULT_REFRESH_INTERVAL;
        };
        y.fields(node, path, "dns.SDConfig", (key, value, p) -> {
            switch (key) {
                case "names" -> f.names = y.stringList(value, p);
                case "type" -> {
                    String t = y.string(value, p);
                    f.type = t == null || t.isEmpty() ? DnsSdConfig.DEFAULT_TYPE : t.toUpperCase(Locale.ROOT);
                    f.typeNode = value;
                }
                case "port" -> f.port = (int) y.unsigned(value, p, 65535);
                case "refresh_interval" -> {
                    Duration d = y.duration(value, p);
                    if (d != null && !d.isZero()) {
                        f.refresh = d;
                    }
                }
                default -> {
                    return false;
                }
            }
            return true;
        });
        // Prometheus's dns.SDConfig validation and wording.
        if (f.names.isEmpty()) {
            throw y.error(node, path, "DNS-SD config must contain at least one SRV record name");
        }
        switch (f.type) {
            case "SRV" -> {
            }
            case "A", "AAAA", "MX", "NS" -> {
                if (f.port == 0) {
                    throw y.error(node, path, "a port is required in DNS-SD configs for all record types except SRV");
                }
            }
            default -> throw y.error(f.typeNode, path + ".type", "invalid DNS-SD records type " + f.type);
        }
        return new DnsSdConfig(f.names, f.type, f.port, f.refresh);
    }

    private FileSdConfig parseFileSdConfig(Node node, String path) throws ConfigException {
        List<String> files = new ArrayList<>();
        Duration[] refresh = {FileSdConfig.DEFAULT_REFRESH_INTERVAL};
        y.fields(node, path, "file.SDConfig", (key, value, p) -> {
            switch (key) {
                case "files" -> {
                    List<Node> items = y.sequence(value, p);
                    for (int i = 0; i < items.size(); i++) {
                        String file = y.string(items.get(i), p + "[" + i + "]");
                        if (file == null || !FILE_SD_PATH.matcher(file).matches()) {
                            throw y.error(items.get(i), p + "[" + i + "]",
                                    "path name \"" + (file == null ? "" : file) + "\" is not valid for file discovery");
                        }
                        files.add(y.file(items.get(i), p + "[" + i + "]"));
                    }
                }
                case "refresh_interval" -> {
                    Duration d = y.duration(value, p);
                    if (d != null && !d.isZero()) {
                        refresh[0] = d;
                    }
                }
                default -> {
                    return false;
                }
            }
            return true;
        });
        if (files.isEmpty()) {
            throw y.error(node, path, "file service discovery config must contain at least one path name");
        }
        return new FileSdConfig(files, refresh[0]);
    }

    private StaticConfig parseStaticConfig(Node node, String path, boolean checkAddresses) throws ConfigException {
        List<String> targets = new ArrayList<>();
        Map<String, String> labels = new LinkedHashMap<>();
        y.fields(node, path, "targetgroup.Group", (key, value, p) -> {
            switch (key) {
                case "targets" -> {
                    List<Node> items = y.sequence(value, p);
                    for (int i = 0; i < items.size(); i++) {
                        String itemPath = p + "[" + i + "]";
                        String target = y.string(items.get(i), itemPath);
                        String problem = checkAddresses ? TargetAddresses.check(target == null ? "" : target) : null;
                        if (problem != null) {
                            throw y.error(items.get(i), itemPath, problem);
                        }
                        targets.add(target);
                    }
                }
                case "labels" -> labels.putAll(labelMap(value, p));
                default -> {
                    return false;
                }
            }
            return true;
        });
        return new StaticConfig(targets, labels);
    }

    private Map<String, String> labelMap(Node node, String path) throws ConfigException {
        return y.stringMap(node, path, (name, value, p) -> {
            if (!LabelNames.isValid(name)) {
                throw y.error(value, p, "\"" + name + "\" is not a valid label name");
            }
        });
    }

    private List<RelabelConfig> parseRelabelConfigs(Node node, String path) throws ConfigException {
        List<Node> items = y.sequence(node, path);
        List<RelabelConfig> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(parseRelabelConfig(items.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    private RelabelConfig parseRelabelConfig(Node node, String path) throws ConfigException {
        var f = new Object() {
            List<String> sourceLabels = List.of();
            boolean sourceLabelsSet;
            String separator = RelabelConfig.DEFAULT_SEPARATOR;
            RelabelRegex regex = RelabelRegex.DEFAULT;
            long modulus;
            String targetLabel = "";
            String replacement = RelabelConfig.DEFAULT_REPLACEMENT;
            RelabelAction action = RelabelAction.REPLACE;
        };
        y.fields(node, path, "relabel.Config", (key, value, p) -> {
            switch (key) {
                case "source_labels" -> {
                    f.sourceLabels = y.stringList(value, p);
                    f.sourceLabelsSet = !YamlNodes.isNull(value);
                    for (String name : f.sourceLabels) {
                        if (!LabelNames.isValid(name)) {
                            throw y.error(value, p, "\"" + name + "\" is not a valid label name");
                        }
                    }
                }
                case "separator" -> f.separator = nullToEmpty(y.string(value, p));
                case "regex" -> {
                    String source = nullToEmpty(y.string(value, p));
                    try {
                        f.regex = RelabelRegex.compile(source);
                    } catch (PatternSyntaxException e) {
                        throw y.error(value, p, "invalid regex \"" + source + "\": " + e.getDescription());
                    }
                }
                case "modulus" -> f.modulus = y.unsigned(value, p, Long.MAX_VALUE);
                case "target_label" -> f.targetLabel = nullToEmpty(y.string(value, p));
                case "replacement" -> f.replacement = nullToEmpty(y.string(value, p));
                case "action" -> {
                    String name = nullToEmpty(y.string(value, p));
                    if (name.isEmpty()) {
                        throw y.error(value, p, "relabel action cannot be empty");
                    }
                    f.action = RelabelAction.fromYaml(name);
                    if (f.action == null) {
                        throw y.error(value, p, "unknown relabel action \"" + name + "\"");
                    }
                }
                default -> {
                    return false;
                }
            }
            return true;
        });
        RelabelConfig rc = new RelabelConfig(f.sourceLabels, f.separator, f.regex, f.modulus, f.targetLabel,
                f.replacement, f.action);
        String problem = validateRelabel(rc, f.sourceLabelsSet);
        if (problem != null) {
            throw y.error(node, path, problem);
        }
        return rc;
    }

    /** Prometheus's relabel.Config.Validate rules and wording. */
    private static String validateRelabel(RelabelConfig c, boolean sourceLabelsSet) {
        RelabelAction a = c.action();
        String name = a.yamlName();
        boolean needsTarget = switch (a) {
            case REPLACE, HASHMOD, LOWERCASE, UPPERCASE, KEEPEQUAL, DROPEQUAL -> true;
            default -> false;
        };
        boolean defaultReplacement = c.replacement().equals(RelabelConfig.DEFAULT_REPLACEMENT);
        if (a == RelabelAction.HASHMOD && c.modulus() == 0) {
            return "relabel configuration for hashmod requires non-zero modulus";
        }
        if (needsTarget && c.targetLabel().isEmpty()) {
            return "relabel configuration for " + name + " action requires 'target_label' value";
        }
        if (a == RelabelAction.REPLACE && !RELABEL_TARGET.matcher(c.targetLabel()).matches()) {
            return "\"" + c.targetLabel() + "\" is invalid 'target_label' for " + name + " action";
        }
        boolean plainTarget = switch (a) {
            case LOWERCASE, UPPERCASE, KEEPEQUAL, DROPEQUAL, HASHMOD -> true;
            default -> false;
        };
        if (plainTarget && !LabelNames.isValid(c.targetLabel())) {
            return "\"" + c.targetLabel() + "\" is invalid 'target_label' for " + name + " action";
        }
        if ((a == RelabelAction.LOWERCASE || a == RelabelAction.UPPERCASE || a == RelabelAction.KEEPEQUAL
                || a == RelabelAction.DROPEQUAL) && !defaultReplacement) {
            return "'replacement' can not be set for " + name + " action";
        }
        if (a == RelabelAction.LABELMAP && !RELABEL_TARGET.matcher(c.replacement()).matches()) {
            return "\"" + c.replacement() + "\" is invalid 'replacement' for " + name + " action";
        }
        if ((a == RelabelAction.KEEPEQUAL || a == RelabelAction.DROPEQUAL)
                && (!c.regex().equals(RelabelRegex.DEFAULT) || c.modulus() != 0
                || !c.separator().equals(RelabelConfig.DEFAULT_SEPARATOR) || !defaultReplacement)) {
            return name + " action requires only 'source_labels' and `target_label`, and no other fields";
        }
        if ((a == RelabelAction.LABELDROP || a == RelabelAction.LABELKEEP)
                && (sourceLabelsSet || !c.targetLabel().isEmpty() || c.modulus() != 0
                || !c.separator().equals(RelabelConfig.DEFAULT_SEPARATOR) || !defaultReplacement)) {
            return name + " action requires only 'regex', and no other fields";
        }
        return null;
    }
}
