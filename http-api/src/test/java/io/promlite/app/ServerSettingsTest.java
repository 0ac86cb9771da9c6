package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.promlite.web.ListenAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line's flags reach the settings, and the settings' defaults are the command line's. */
class ServerSettingsTest {
    private static ServerSettings parse(String... args) {
        Main main = new Main();
        new CommandLine(main).parseArgs(args);
        return main.settings();
    }

    @Test
    void theDefaultsAreTheCommandLineWithoutFlags() {
        assertEquals(ServerSettings.defaults(null, Path.of("data/"), ListenAddress.parse("0.0.0.0:9090")), parse());
    }

    @Test
    void everyFlagReachesTheSettings() {
        ServerSettings s = parse("--config.file=p.yml", "--storage.tsdb.path=/d", "--web.listen-address=127.0.0.1:9999",
                "--storage.tsdb.retention.time=1d", "--storage.tsdb.retention.size=1KB",
                "--web.external-url=http://x:1/p/", "--web.route-prefix=/r", "--web.max-connections=7",
                "--web.read-timeout=1m", "--web.enable-lifecycle", "--web.enable-admin-api",
                "--web.enable-remote-write-receiver", "--query.timeout=30s", "--query.max-samples=100",
                "--query.max-concurrency=3", "--query.lookback-delta=1m", "--discovery.dns.nameservers=10.0.0.1:53",
                "--enable-feature=promql-delayed-name-removal");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("config.file", "p.yml");
        expected.put("storage.tsdb.path", "/d");
        expected.put("storage.tsdb.retention.time", "1d");
        expected.put("storage.tsdb.retention.size", "1024B");
        expected.put("web.listen-address", "127.0.0.1:9999");
        expected.put("web.external-url", "http://x:1/p/");
        expected.put("web.route-prefix", "/r");
        expected.put("web.max-connections", "7");
        expected.put("web.read-timeout", "1m");
        expected.put("web.enable-lifecycle", "true");
        expected.put("web.enable-admin-api", "true");
        expected.put("web.enable-remote-write-receiver", "true");
        expected.put("query.timeout", "30s");
        expected.put("query.max-samples", "100");
        expected.put("query.max-concurrency", "3");
        expected.put("query.lookback-delta", "1m");
        expected.put("discovery.dns.nameservers", "10.0.0.1:53");
        expected.put("enable-feature", "promql-delayed-name-removal");
        assertEquals(expected, s.flags());
    }

    @Test
    void agentModeKeepsItsOwnStoragePath() {
        assertEquals(Path.of("data-agent/"), parse("--agent").storagePath());
    }
}
