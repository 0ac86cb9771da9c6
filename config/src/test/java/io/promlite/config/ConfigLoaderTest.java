package io.promlite.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
    @Test
    void parsesFullConfigWithDefaults() throws ConfigException {
        String yaml = """
                global:
                  scrape_interval: 15s
                  external_labels:
                    region: eu
                  sample_limit: 100
                scrape_configs:
                  - job_name: node
                    scrape_timeout: 5s
                    static_configs:
                      - targets: ["a:9100", "[::1]:9100"]
                        labels:
                          env: prod
                  - job_name: app
                    scrape_interval: 1m30s
                    metrics_path: /m
                    scheme: https
                    honor_labels: true
                    honor_timestamps: false
                    sample_limit: 7
                    body_size_limit: 10MB
                    params:
                      module: [a, b]
                """;
        PromliteConfig c = ConfigLoader.parse(yaml, "p.yml");
        assertEquals(new GlobalConfig(Duration.ofSeconds(15), Duration.ofSeconds(10), Map.of("region", "eu")), c.global());
        assertEquals(yaml, c.originalYaml());
        ScrapeConfig node = c.scrapeConfigs().get(0);
        assertEquals("node", node.jobName());
        assertEquals(Duration.ofSeconds(15), node.scrapeInterval());
        assertEquals(Duration.ofSeconds(5), node.scrapeTimeout());
        assertEquals("/metrics", node.metricsPath());
        assertEquals("http", node.scheme());
        assertEquals(List.of(new StaticConfig(List.of("a:9100", "[::1]:9100"), Map.of("env", "prod"))),
                node.staticConfigs());
        assertEquals(100, node.sampleLimit());
        assertFalse(node.honorLabels());
        assertTrue(node.honorTimestamps());

        ScrapeConfig app = c.scrapeConfigs().get(1);
        assertEquals(Duration.ofSeconds(90), app.scrapeInterval());
        assertEquals(Duration.ofSeconds(10), app.scrapeTimeout());
        assertEquals("/m", app.metricsPath());
        assertEquals("https", app.scheme());
        assertTrue(app.honorLabels());
        assertFalse(app.honorTimestamps());
        assertEquals(7, app.sampleLimit());
        assertEquals(10L << 20, app.bodySizeLimitBytes());
        assertEquals(Map.of("module", List.of("a", "b")), app.params());
    }

    @Test
    void emptyFileIsAValidConfig() throws ConfigException {
        for (String yaml : new String[] {"", "# just a comment\n", "scrape_configs:\n"}) {
            PromliteConfig c = ConfigLoader.parse(yaml, "e.yml");
            assertEquals(GlobalConfig.DEFAULT, c.global());
            assertEquals(List.of(), c.scrapeConfigs());
        }
    }

    @Test
    void prometheusDefaultsApply() throws ConfigException {
        ScrapeConfig sc = ConfigLoader.parse("scrape_configs:\n  - job_name: x\n", "d.yml").scrapeConfigs().get(0);
        assertEquals(Duration.ofMinutes(1), sc.scrapeInterval());
        assertEquals(Duration.ofSeconds(10), sc.scrapeTimeout());
        assertEquals("/metrics", sc.metricsPath());
        assertEquals("http", sc.scheme());
        assertEquals(List.of(), sc.staticConfigs());
    }

    @Test
    void timeoutIsClampedToAShortInterval() throws ConfigException {
        String yaml = """
                scrape_configs:
                  - job_name: fast
                    scrape_interval: 5s
                """;
        ScrapeConfig sc = ConfigLoader.parse(yaml, "c.yml").scrapeConfigs().get(0);
        assertEquals(Duration.ofSeconds(5), sc.scrapeTimeout());

        GlobalConfig g = ConfigLoader.parse("global:\n  scrape_interval: 2s\n", "g.yml").global();
        assertEquals(Duration.ofSeconds(2), g.scrapeTimeout());
    }

    @Test
    void knownButUnsupportedPrometheusFieldsAreAccepted() throws ConfigException {
        String yaml = """
                global:
                  evaluation_interval: 30s
                rule_files: [a.yml]
                alerting:
                  alertmanagers: []
                scrape_configs:
                  - job_name: k
                    kubernetes_sd_configs: [{role: pod}]
                    basic_auth: {username: u}
                """;
        assertEquals("k", ConfigLoader.parse(yaml, "u.yml").scrapeConfigs().get(0).jobName());
    }

    @Test
    void loadNamesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, "scrape_configs:\n  - job_name: a\n    scrape_interval: 5x\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file.toString(), e.file());
        assertEquals(3, e.line());
        assertEquals(file + ":3:22: field scrape_configs[0].scrape_interval: not a valid duration string: \"5x\"",
                e.getMessage());

        ConfigException missing = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("nope.yml")));
        assertTrue(missing.getMessage().contains("cannot read config file"), missing.getMessage());
    }

    @Test
    void parsesRelabelConfigsWithDefaults() throws ConfigException {
        String yaml = """
                scrape_configs:
                  - job_name: r
                    relabel_configs:
                      - source_labels: [__address__]
                        target_label: host
                        regex: '(.*):\\d+'
                      - action: LabelDrop
                        regex: tmp_.*
                    metric_relabel_configs:
                      - source_labels: [a, b]
                        action: hashmod
                        modulus: 4
                        target_label: shard
                """;
        ScrapeConfig sc = ConfigLoader.parse(yaml, "r.yml").scrapeConfigs().get(0);
        RelabelConfig first = sc.relabelConfigs().get(0);
        assertEquals(new RelabelConfig(List.of("__address__"), ";", RelabelRegex.compile("(.*):\\d+"), 0, "host",
                "$1", RelabelAction.REPLACE), first);
        assertTrue(first.regex().pattern().matcher("h:9").matches());
        assertEquals(RelabelAction.LABELDROP, sc.relabelConfigs().get(1).action());
        assertEquals(4, sc.metricRelabelConfigs().get(0).modulus());
    }

    @Test
    void parsesFileSdConfigsResolvingPathsAgainstTheConfigFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, """
                scrape_configs:
                  - job_name: f
                    file_sd_configs:
                      - files: [targets/*.json, /abs/b.yml]
                        refresh_interval: 30s
                      - files: [c.yaml]
                """);
        ScrapeConfig sc = ConfigLoader.load(file).scrapeConfigs().get(0);
        assertEquals(List.of(
                new FileSdConfig(List.of(dir.resolve("targets/*.json").toString(), "/abs/b.yml"), Duration.ofSeconds(30)),
                new FileSdConfig(List.of(dir.resolve("c.yaml").toString()), Duration.ofMinutes(5))),
                sc.fileSdConfigs());
    }

    @Test
    void parsesDnsSdConfigsAndCompression() throws ConfigException {
        ScrapeConfig sc = ConfigLoader.parse("""
                scrape_configs:
                  - job_name: d
                    enable_compression: false
                    dns_sd_configs:
                      - names: [_node._tcp.example.org]
                      - names: [a.example.org, b.example.org]
                        type: a
                        port: 9100
                        refresh_interval: 1m
                """, "d.yml").scrapeConfigs().get(0);
        assertFalse(sc.enableCompression());
        assertEquals(List.of(
                new DnsSdConfig(List.of("_node._tcp.example.org"), "SRV", 0, Duration.ofSeconds(30)),
                new DnsSdConfig(List.of("a.example.org", "b.example.org"), "A", 9100, Duration.ofMinutes(1))),
                sc.dnsSdConfigs());
        assertTrue(ConfigLoader.parse("scrape_configs:\n  - job_name: x\n", "x.yml").scrapeConfigs().get(0).enableCompression());
    }

    @Test
    void followRedirectsDefaultsToTrueAsInPrometheus() throws ConfigException {
        List<ScrapeConfig> scs = ConfigLoader.parse("""
                scrape_configs:
                  - job_name: off
                    follow_redirects: false
                  - job_name: on
                    follow_redirects: true
                  - job_name: default
                """, "r.yml").scrapeConfigs();
        assertEquals(List.of(false, true, true), scs.stream().map(ScrapeConfig::followRedirects).toList());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                scrape_configs:
                  - job_name: bad
                    follow_redirects: sometimes
                """, "r.yml"));
        assertEquals(3, e.line(), e.getMessage());
    }

    @Test
    void parsesCredentials(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, """
                scrape_configs:
                  - job_name: basic
                    basic_auth: {username: u, password_file: secret.txt}
                  - job_name: auth
                    authorization: {credentials: abc}
                  - job_name: custom
                    authorization: {type: Token, credentials_file: /run/token}
                  - job_name: bearer
                    bearer_token_file: token
                  - job_name: none
                """);
        List<ScrapeConfig> jobs = ConfigLoader.load(file).scrapeConfigs();
        assertEquals(new HttpAuth.Basic("u", "", dir.resolve("secret.txt").toString()), jobs.get(0).auth());
        assertEquals(new HttpAuth.Credentials("Bearer", "abc", null), jobs.get(1).auth());
        assertEquals(new HttpAuth.Credentials("Token", "", "/run/token"), jobs.get(2).auth());
        assertEquals(new HttpAuth.Credentials("Bearer", null, dir.resolve("token").toString()), jobs.get(3).auth());
        assertEquals(null, jobs.get(4).auth());
        assertEquals(TlsConfig.DEFAULT, jobs.get(4).tlsConfig());
    }

    @Test
    void parsesTlsConfig(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, """
                scrape_configs:
                  - job_name: t
                    scheme: https
                    tls_config:
                      ca_file: ca.pem
                      cert_file: /etc/c.pem
                      key_file: k.pem
                      server_name: example.org
                      insecure_skip_verify: false
                      min_version: TLS12
                """);
        assertEquals(new TlsConfig(null, dir.resolve("ca.pem").toString(), null, "/etc/c.pem", null,
                dir.resolve("k.pem").toString(), "example.org", false), ConfigLoader.load(file).scrapeConfigs().get(0).tlsConfig());
    }

    @Test
    void parsesTargetGroupFilesInYamlAndJson() throws ConfigException {
        assertEquals(List.of(new StaticConfig(List.of("a:1", "b"), Map.of("env", "x")), new StaticConfig(List.of("c:3"), Map.of())),
                TargetGroupsFile.parse("[{\"targets\": [\"a:1\", \"b\"], \"labels\": {\"env\": \"x\"}}, {\"targets\": [\"c:3\"]}]", "t.json"));
        assertEquals(List.of(new StaticConfig(List.of("a:1"), Map.of())), TargetGroupsFile.parse("- targets: [a:1]\n", "t.yml"));
        assertEquals(List.of(), TargetGroupsFile.parse("", "empty.yml"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> TargetGroupsFile.parse("- targets: [a:1]\n  labels: {bad-name: x}\n", "t.yml"));
        assertEquals(2, e.line());
        assertTrue(e.problem().contains("\"bad-name\" is not a valid label name"));
    }

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                Arguments.of("scrape_configs:\n  - job_name: [a\n", 3, null, "invalid YAML"),
                Arguments.of("global:\n\tscrape_interval: 1s\n", 2, null, "invalid YAML"),
                Arguments.of("just text\n", 1, null, "cannot unmarshal !!str `just text` into config.Config"),
                Arguments.of("global:\n  scrape_intervall: 1s\n", 2, "global.scrape_intervall",
                        "field scrape_intervall not found in type config.GlobalConfig"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    metric_path: /x\n", 3,
                        "scrape_configs[0].metric_path", "field metric_path not found in type config.ScrapeConfig"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    static_configs:\n      - target: [a:1]\n", 4,
                        "scrape_configs[0].static_configs[0].target", "field target not found in type targetgroup.Group"),
                Arguments.of("foo: 1\n", 1, "foo", "field foo not found in type config.Config"),
                Arguments.of("global:\n  scrape_timeout: 1.5s\n", 2, "global.scrape_timeout",
                        "not a valid duration string: \"1.5s\""),
                Arguments.of("global:\n  scrape_interval: ''\n", 2, "global.scrape_interval", "empty duration string"),
                Arguments.of("global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n", 3, "global.scrape_timeout",
                        "global scrape timeout greater than scrape interval"),
                Arguments.of("scrape_configs:\n  - scrape_interval: 5s\n", 2, "scrape_configs[0].job_name",
                        "job_name is empty"),
                Arguments.of("scrape_configs:\n  -\n", 2, "scrape_configs[0]", "empty or null scrape config section"),
                Arguments.of("scrape_configs:\n  - job_name: a\n  - job_name: b\n  - job_name: a\n", 4,
                        "scrape_configs[2].job_name", "found multiple scrape configs with job name \"a\""),
                Arguments.of("scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n", 4,
                        "scrape_configs[0].scrape_timeout",
                        "scrape timeout greater than scrape interval for scrape config with job name \"a\""),
                Arguments.of("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets:\n"
                                + "          - ok:1\n          - http://h:9100/metrics\n", 6,
                        "scrape_configs[0].static_configs[0].targets[1]", "\"http://h:9100/metrics\" is not a valid hostname"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [nohost]\n", 4,
                        "scrape_configs[0].static_configs[0].targets[0]", "\"nohost\" is not a valid \"host:port\""),
                Arguments.of("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['h:99999']\n", 4,
                        "scrape_configs[0].static_configs[0].targets[0]", "\"h:99999\" is not a valid \"host:port\""),
                Arguments.of("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [a:1]\n"
                                + "        labels:\n          bad-name: x\n", 6,
                        "scrape_configs[0].static_configs[0].labels.bad-name", "\"bad-name\" is not a valid label name"),
                Arguments.of("global:\n  external_labels:\n    1x: y\n", 3, "global.external_labels.1x",
                        "\"1x\" is not a valid label name"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    scheme: ftp\n", 3, "scrape_configs[0].scheme",
                        "scheme must be \"http\" or \"https\""),
                Arguments.of("scrape_configs:\n  - job_name: a\n    honor_labels: maybe\n", 3,
                        "scrape_configs[0].honor_labels", "into bool"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    sample_limit: -1\n", 3,
                        "scrape_configs[0].sample_limit", "non-negative integer"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    body_size_limit: 10 MB\n", 3,
                        "scrape_configs[0].body_size_limit", "not a valid size"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    job_name: b\n", 3, "scrape_configs[0].job_name",
                        "mapping key \"job_name\" already defined at line 2"),
                Arguments.of("scrape_configs:\n  job_name: a\n", 2, "scrape_configs", "into a list"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [a.txt]\n", 4,
                        "scrape_configs[0].file_sd_configs[0].files[0]", "path name \"a.txt\" is not valid for file discovery"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: ['*/a.json']\n", 4,
                        "scrape_configs[0].file_sd_configs[0].files[0]", "is not valid for file discovery"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    basic_auth: {username: u, password: p, password_file: f}\n", 3,
                        "scrape_configs[0].basic_auth", "at most one of basic_auth password & password_file must be configured"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    authorization: {type: Basic}\n", 3,
                        "scrape_configs[0].authorization", "authorization type cannot be set to \"basic\", use \"basic_auth\" instead"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    bearer_token: t\n    bearer_token_file: f\n", 4,
                        "scrape_configs[0]", "at most one of bearer_token & bearer_token_file must be configured"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    bearer_token: t\n", 4,
                        "scrape_configs[0]", "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    bearer_token: t\n    authorization: {credentials: c}\n", 4,
                        "scrape_configs[0]", "authorization is not compatible with bearer_token & bearer_token_file"),
                Arguments.of("global:\n  static_sd_configs: []\n", 2,
                        "global.static_sd_configs", "field static_sd_configs not found in type config.GlobalConfig"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    tls_config: {cert_file: c.pem}\n", 3, "scrape_configs[0].tls_config",
                        "exactly one of key or key_file must be configured when a client certificate is configured"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    tls_config: {ca: x, ca_file: y}\n", 3, "scrape_configs[0].tls_config",
                        "at most one of ca and ca_file must be configured"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    tls_config: {ca_fil: y}\n", 3, "scrape_configs[0].tls_config.ca_fil",
                        "field ca_fil not found in type config.TLSConfig"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    basic_auth: {user: u}\n", 3,
                        "scrape_configs[0].basic_auth.user", "field user not found in type config.BasicAuth"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - names: []\n", 4,
                        "scrape_configs[0].dns_sd_configs[0]", "DNS-SD config must contain at least one SRV record name"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - names: [x]\n        type: A\n", 4,
                        "scrape_configs[0].dns_sd_configs[0]",
                        "a port is required in DNS-SD configs for all record types except SRV"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - names: [x]\n        type: TXT\n", 5,
                        "scrape_configs[0].dns_sd_configs[0].type", "invalid DNS-SD records type TXT"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - refresh_interval: 1m\n", 4,
                        "scrape_configs[0].file_sd_configs[0]", "must contain at least one path name"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: bogus\n", 4,
                        "scrape_configs[0].relabel_configs[0].action", "unknown relabel action \"bogus\""),
                Arguments.of("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - regex: '(a'\n", 4,
                        "scrape_configs[0].relabel_configs[0].regex", "invalid regex \"(a\""),
                Arguments.of("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n"
                                + "        target_label: x\n", 4, "scrape_configs[0].relabel_configs[0]",
                        "relabel configuration for hashmod requires non-zero modulus"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [a]\n", 4,
                        "scrape_configs[0].relabel_configs[0]",
                        "relabel configuration for replace action requires 'target_label' value"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: 'a-b'\n", 4,
                        "scrape_configs[0].relabel_configs[0]", "\"a-b\" is invalid 'target_label' for replace action"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: lowercase\n"
                                + "        target_label: x\n        replacement: y\n", 4,
                        "scrape_configs[0].relabel_configs[0]", "'replacement' can not be set for lowercase action"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: labeldrop\n"
                                + "        source_labels: [a]\n", 4, "scrape_configs[0].relabel_configs[0]",
                        "labeldrop action requires only 'regex', and no other fields"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: keepequal\n"
                                + "        target_label: x\n        regex: a\n", 4, "scrape_configs[0].relabel_configs[0]",
                        "keepequal action requires only 'source_labels' and `target_label`, and no other fields"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: labelmap\n"
                                + "        replacement: 'a-$1'\n", 4, "scrape_configs[0].relabel_configs[0]",
                        "\"a-$1\" is invalid 'replacement' for labelmap action"),
                Arguments.of("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [ok, 'no-t']\n"
                                + "        target_label: x\n", 4, "scrape_configs[0].relabel_configs[0].source_labels",
                        "\"no-t\" is not a valid label name"));
    }

    @ParameterizedTest
    @MethodSource("invalidConfigs")
    void reportsErrorsWithLineAndField(String yaml, int line, String field, String problemContains) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "bad.yml"));
        assertEquals("bad.yml", e.file());
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.column() > 0, e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.problem().contains(problemContains), e.getMessage());
        assertTrue(e.getMessage().startsWith("bad.yml:" + line + ":" + e.column() + ": "), e.getMessage());
    }
}
