package io.promlite.scraper.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.promlite.config.DnsSdConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnsDiscoveryTest {
    private static EventLoopGroup loops;
    private FakeDnsServer dns;
    private DnsLookup lookup;

    @BeforeAll
    static void startLoops() {
        loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        loops.shutdownGracefully().syncUninterruptibly();
    }

    @BeforeEach
    void start() throws Exception {
        dns = new FakeDnsServer();
        lookup = new DnsLookup(loops.next(), List.of(dns.hostPort()));
    }

    @AfterEach
    void stop() throws Exception {
        lookup.close();
        dns.close();
    }

    private DnsDiscovery discovery(String type, int port, String... names) {
        return new DnsDiscovery(new DnsSdConfig(List.of(names), type, port, Duration.ofSeconds(30)), lookup);
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
                        "__meta_dns_srv_record_target", "node1.example.org.", "__meta_dns_srv_record_port", "9100"),
                Map.of("__address__", "node2.example.org:9101", "__meta_dns_name", "_metrics._tcp.example.org",
                        "__meta_dns_srv_record_target", "node2.example.org.", "__meta_dns_srv_record_port", "9101")),
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
        assertEquals("mail.example.org.", mx.get(0).targets().get(0).get("__meta_dns_mx_record_target"));
        assertEquals("[::1]:9100", address(discovery("AAAA", 9100, "v6.example.org")), "Go's spelling of IPv6");
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

    @Test
    void everyAddressIsATargetAndChangesShowAtTheNextRefresh() throws Exception {
        dns.set("svc.example.org", FakeDnsServer.A, List.of(FakeDnsServer.address("10.0.0.1")));
        DnsDiscovery d = discovery("A", 80, "svc.example.org");
        assertEquals(List.of("10.0.0.1:80"), addresses(d.refresh()));
        dns.set("svc.example.org", FakeDnsServer.A, List.of(FakeDnsServer.address("10.0.0.1"),
                FakeDnsServer.address("10.0.0.2"), FakeDnsServer.address("10.0.0.3")));
        assertEquals(List.of("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"), addresses(d.refresh()),
                "nothing is cached between refreshes");
    }

    private static List<String> addresses(List<TargetGroup> groups) {
        return groups.get(0).targets().stream().map(t -> t.get("__address__")).toList();
    }

    @Test
    void aNameWithoutRecordsOfTheTypeHasNoTargets() throws Exception {
        dns.set("a.example.org", FakeDnsServer.A, List.of(FakeDnsServer.address("10.0.0.1")));
        List<TargetGroup> groups = discovery("SRV", 0, "a.example.org").refresh();
        assertEquals(List.of(new TargetGroup("a.example.org", List.of(), Map.of())), groups);
    }

    @Test
    void aServerThatDoesNotAnswerIsSkippedForTheNext() throws Exception {
        FakeDnsServer down = new FakeDnsServer();
        String downHostPort = down.hostPort();
        down.close();
        dns.set("a.example.org", FakeDnsServer.A, List.of(FakeDnsServer.address("10.0.0.1")));
        try (DnsLookup twoServers = new DnsLookup(loops.next(), List.of(downHostPort, dns.hostPort()))) {
            DnsDiscovery d = new DnsDiscovery(new DnsSdConfig(List.of("a.example.org"), "A", 80,
                    Duration.ofSeconds(30)), twoServers);
            assertEquals(List.of("10.0.0.1:80"), addresses(d.refresh()));
        }
    }

    @Test
    void aServerFailureKeepsTheLastTargetsAndTheNextServerIsAsked() throws Exception {
        dns.set("a.example.org", FakeDnsServer.A, List.of(FakeDnsServer.address("10.0.0.1")));
        DnsDiscovery d = discovery("A", 80, "a.example.org");
        assertEquals(List.of("10.0.0.1:80"), addresses(d.refresh()));
        dns.set("a.example.org", FakeDnsServer.A, List.of(FakeDnsServer.address("10.0.0.2")));
        dns.failing("a.example.org", true);
        assertEquals(List.of("10.0.0.1:80"), addresses(d.refresh()), "SERVFAIL is no answer: the last targets stay");

        try (FakeDnsServer second = new FakeDnsServer();
             DnsLookup twoServers = new DnsLookup(loops.next(), List.of(dns.hostPort(), second.hostPort()))) {
            second.set("a.example.org", FakeDnsServer.A, List.of(FakeDnsServer.address("10.0.0.3")));
            DnsDiscovery fallback = new DnsDiscovery(new DnsSdConfig(List.of("a.example.org"), "A", 80,
                    Duration.ofSeconds(30)), twoServers);
            assertEquals(List.of("10.0.0.3:80"), addresses(fallback.refresh()), "the next server answers");
        }
    }

    @Test
    void searchDomainsAreTriedAsGoResolvesThem(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("resolv.conf");
        Files.writeString(conf, "nameserver 127.0.0.1\nsearch svc.local example.org\noptions ndots:2 timeout:1\n");
        DnsLookup.ResolvConf rc = DnsLookup.ResolvConf.read(conf);
        assertEquals(List.of("accesslog.svc.local.", "accesslog.example.org.", "accesslog."), rc.candidates("accesslog"));
        assertEquals(List.of("a.b.c.", "a.b.c.svc.local.", "a.b.c.example.org."), rc.candidates("a.b.c"));
        assertEquals(List.of("a.b."), rc.candidates("a.b."), "a name ending in a dot is tried alone");

        dns.set("accesslog.example.org", FakeDnsServer.A, List.of(FakeDnsServer.address("10.0.0.7")));
        dns.set("accesslog", FakeDnsServer.A, List.of(FakeDnsServer.address("10.0.0.9")));
        try (DnsLookup searching = new DnsLookup(loops.next(), List.of(dns.hostPort()), conf)) {
            DnsDiscovery d = new DnsDiscovery(new DnsSdConfig(List.of("accesslog"), "A", 80,
                    Duration.ofSeconds(30)), searching);
            List<TargetGroup> groups = d.refresh();
            assertEquals(List.of("10.0.0.7:80"), addresses(groups), "the first candidate that exists wins");
            assertEquals("accesslog", groups.get(0).targets().get(0).get("__meta_dns_name"));
        }
    }
}
