package io.promlite.scraper.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.config.DnsSdConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DnsDiscoveryTest {
    private FakeDnsServer dns;

    @BeforeEach
    void start() throws Exception {
        dns = new FakeDnsServer();
    }

    @AfterEach
    void stop() throws Exception {
        dns.close();
    }

    private DnsDiscovery discovery(String type, int port, String... names) {
        return new DnsDiscovery(new DnsSdConfig(List.of(names), type, port, Duration.ofSeconds(30)), dns.url());
    }

    @Test
    void srvRecordsBecomeTargetsWithPrometheusMetaLabels() {
        dns.set("_metrics._tcp.example.org", FakeDnsServer.SRV, List.of(
                FakeDnsServer.srv(9100, "node1.example.org."), FakeDnsServer.srv(9101, "node2.example.org.")));
        List<TargetGroup> groups = discovery("SRV", 0, "_metrics._tcp.example.org").refresh();
        assertEquals(1, groups.size());
        assertEquals("_metrics._tcp.example.org", groups.get(0).source());
        assertEquals(List.of(
                Map.of("__address__", "node1.example.org:9100", "__meta_dns_name", "_metrics._tcp.example.org",
                        "__meta_dns_srv_record_target", "node1.example.org", "__meta_dns_srv_record_port", "9100"),
                Map.of("__address__", "node2.example.org:9101", "__meta_dns_name", "_metrics._tcp.example.org",
                        "__meta_dns_srv_record_target", "node2.example.org", "__meta_dns_srv_record_port", "9101")),
                groups.get(0).targets());
    }

    @Test
    void addressAndNameRecordsUseTheConfiguredPort() throws Exception {
        dns.set("a.example.org", FakeDnsServer.A, List.of(FakeDnsServer.address("10.0.0.1")));
        dns.set("v6.example.org", FakeDnsServer.AAAA, List.of(FakeDnsServer.address("::1")));
        dns.set("example.org", FakeDnsServer.MX, List.of(FakeDnsServer.mx("mail.example.org")));
        dns.set("example.org", FakeDnsServer.NS, List.of(FakeDnsServer.name("ns1.example.org")));
        assertEquals("10.0.0.1:9100", address(discovery("A", 9100, "a.example.org")));
        assertEquals("ns1.example.org:53", address(discovery("NS", 53, "example.org")));
        List<TargetGroup> mx = discovery("MX", 25, "example.org").refresh();
        assertEquals("mail.example.org:25", mx.get(0).targets().get(0).get("__address__"));
        assertEquals("mail.example.org", mx.get(0).targets().get(0).get("__meta_dns_mx_record_target"));
        String v6 = address(discovery("AAAA", 9100, "v6.example.org"));
        assertTrue(v6.startsWith("[") && v6.endsWith("]:9100"), v6);
    }

    private static String address(DnsDiscovery d) {
        return d.refresh().get(0).targets().get(0).get("__address__");
    }

    @Test
    void aMissingNameHasNoTargetsAndAnUnreachableServerKeepsTheLastOnes() throws Exception {
        dns.set("a.example.org", FakeDnsServer.A, List.of(FakeDnsServer.address("10.0.0.1")));
        DnsDiscovery d = discovery("A", 80, "a.example.org", "gone.example.org");
        List<TargetGroup> first = d.refresh();
        assertEquals(2, first.size());
        assertEquals(1, first.get(0).targets().size());
        assertEquals(List.of(), first.get(1).targets(), "NXDOMAIN: no targets");

        dns.close();
        assertEquals(first, d.refresh(), "a failed lookup keeps the last good targets");
    }
}
