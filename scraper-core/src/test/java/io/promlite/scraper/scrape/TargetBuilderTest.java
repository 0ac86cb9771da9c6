package io.promlite.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.promlite.config.ConfigException;
import io.promlite.config.ConfigLoader;
import io.promlite.config.ScrapeConfig;
import io.promlite.scraper.discovery.StaticDiscovery;
import io.promlite.tsdb.model.Labels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetBuilderTest {
    private static ScrapeConfig job(String body) throws ConfigException {
        return ConfigLoader.parse("scrape_configs:\n  - job_name: j\n" + body, "t.yml").scrapeConfigs().get(0);
    }

    @Test
    void defaultsInstanceToAddressAndKeepsDiscoveredLabels() throws ConfigException {
        ScrapeConfig c = job("    static_configs: [{targets: ['h:9100'], labels: {env: prod}}]\n");
        List<ScrapeTarget> targets = TargetBuilder.targets(c, StaticDiscovery.groups(c)).active();
        ScrapeTarget t = targets.get(0);
        assertEquals(Labels.of("job", "j", "instance", "h:9100", "env", "prod"), t.labels());
        assertEquals(Labels.of("__address__", "h:9100", "__scheme__", "http", "__metrics_path__", "/metrics",
                "__scrape_interval__", "1m", "__scrape_timeout__", "10s", "job", "j", "env", "prod"),
                t.discoveredLabels());
        assertEquals("http://h:9100/metrics", t.url());
        assertEquals("h", t.host());
        assertEquals(9100, t.port());
    }

    @Test
    void relabelingShapesTheTarget() throws ConfigException {
        ScrapeConfig c = job("""
                    params: {module: [a], other: [x, y]}
                    relabel_configs:
                      - source_labels: [__address__]
                        target_label: __param_target
                      - source_labels: [__address__]
                        regex: '([^:]+):.*'
                        target_label: instance
                      - target_label: __address__
                        replacement: 'prober:9115'
                      - target_label: __metrics_path__
                        replacement: /probe
                      - target_label: __scheme__
                        replacement: https
                      - target_label: __scrape_interval__
                        replacement: 30s
                      - target_label: __meta_extra
                        replacement: dropped
                    static_configs: [{targets: ['web:80', 'db:5432']}]
                """);
        List<ScrapeTarget> targets = TargetBuilder.targets(c, StaticDiscovery.groups(c)).active();
        assertEquals(2, targets.size());
        ScrapeTarget t = targets.get(0);
        assertEquals(Labels.of("job", "j", "instance", "web"), t.labels());
        assertEquals("https://prober:9115/probe?module=a&other=x&other=y&target=web%3A80", t.url());
        assertEquals(Duration.ofSeconds(30), t.interval());
        assertEquals("web:80", t.discoveredLabels().get("__address__"));
    }

    @Test
    void paramLabelsOverrideTheFirstConfiguredValue() throws ConfigException {
        ScrapeConfig c = job("""
                    params: {module: [a, b]}
                    relabel_configs:
                      - target_label: __param_module
                        replacement: z
                    static_configs: [{targets: ['h:1']}]
                """);
        ScrapeTarget t = TargetBuilder.targets(c, StaticDiscovery.groups(c)).active().get(0);
        assertEquals("/metrics?module=z&module=b", t.pathAndQuery());
    }

    @Test
    void droppedAndUnusableTargetsAreSkipped() throws ConfigException {
        ScrapeConfig c = job("""
                    relabel_configs:
                      - source_labels: [__address__]
                        regex: 'skip:.*'
                        action: drop
                      - source_labels: [__address__]
                        regex: 'bad:.*'
                        target_label: __address__
                        replacement: 'http://bad/x'
                      - source_labels: [__address__]
                        regex: 'slow:.*'
                        target_label: __scrape_timeout__
                        replacement: 2m
                    static_configs: [{targets: ['skip:1', 'bad:1', 'slow:1', 'ok:1', 'ok:1']}]
                """);
        TargetBuilder.Targets found = TargetBuilder.targets(c, StaticDiscovery.groups(c));
        assertEquals(List.of("http://ok:1/metrics"), found.active().stream().map(ScrapeTarget::url).toList());
        assertEquals(List.of("skip:1"), found.dropped().stream().map(l -> l.get("__address__")).toList(),
                "only relabeling drops are listed; unusable targets are logged");
        assertNull(TargetBuilder.build(c, Map.of(), Map.of("__address__", "skip:1")));
    }

    @Test
    void ipv6AddressesAndDefaultPorts() throws ConfigException {
        ScrapeConfig c = job("    static_configs: [{targets: ['[::1]:9090']}]\n");
        ScrapeTarget t = TargetBuilder.targets(c, StaticDiscovery.groups(c)).active().get(0);
        assertEquals("::1", t.host());
        assertEquals(9090, t.port());
        assertEquals("http://[::1]:9090/metrics", t.url());
        ScrapeTarget noPort = TargetBuilder.build(job("    scheme: https\n"), Map.of(), Map.of("__address__", "h"));
        assertEquals(443, noPort.port());
        assertEquals("h", noPort.labels().get("instance"));
    }
}
