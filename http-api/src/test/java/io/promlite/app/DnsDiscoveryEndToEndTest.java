package io.promlite.app;

import static io.promlite.app.EndToEndTest.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.promlite.app.ApiClient.Element;
import io.promlite.scraper.discovery.FakeDnsServer;
import io.promlite.web.ListenAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service scaled behind one DNS name, as {@code docker compose up --scale accesslog=3} makes it:
 * a real DNS server on loopback (given with {@code --discovery.dns.nameservers}) answers for
 * {@code accesslog} with one address, then three, each serving its own target on that address.
 */
class DnsDiscoveryEndToEndTest {
    @TempDir
    Path tmp;

    private static String body(String host, int count) {
        return "# TYPE access_log_total counter\naccess_log_total{hostname=\"" + host + "\"} " + count + "\n";
    }

    @Test
    void scaledServiceIsFoundAndSummed() throws Exception {
        List<TestTarget> targets = new ArrayList<>();
        try (FakeDnsServer dns = new FakeDnsServer()) {
            targets.add(new TestTarget(body("a", 1), new InetSocketAddress("127.0.0.2", 0)));
            int port = targets.get(0).port();
            targets.add(new TestTarget(body("b", 10), new InetSocketAddress("127.0.0.3", port)));
            targets.add(new TestTarget(body("c", 100), new InetSocketAddress("127.0.0.4", port)));
            dns.set("accesslog", FakeDnsServer.A, List.of(FakeDnsServer.address("127.0.0.2")));
            Path config = tmp.resolve("prometheus.yml");
            Files.writeString(config, """
                    global: { scrape_interval: 1s }
                    scrape_configs:
                      - job_name: accesslog
                        dns_sd_configs: [ { names: [accesslog], type: A, port: %d, refresh_interval: 1s } ]
                    """.formatted(port));
            ServerSettings settings = ServerSettings.builder(config, tmp.resolve("data"),
                    ListenAddress.parse("127.0.0.1:0")).dnsNameservers(List.of(dns.hostPort())).build();
            try (Promlite server = Promlite.start(settings, Promlite.loadConfig(settings))) {
                ApiClient api = new ApiClient(server.port());
                eventually(() -> instances(api).equals(Set.of("127.0.0.2:" + port)));

                dns.set("accesslog", FakeDnsServer.A, List.of(FakeDnsServer.address("127.0.0.2"),
                        FakeDnsServer.address("127.0.0.3"), FakeDnsServer.address("127.0.0.4")));
                eventually(() -> instances(api).equals(Set.of("127.0.0.2:" + port, "127.0.0.3:" + port,
                        "127.0.0.4:" + port)));
                eventually(() -> List.of("111").equals(api.vector(
                        "sum(access_log_total) without(hostname, instance)").stream().map(Element::value).toList()));
                assertEquals(Set.of("accesslog"), api.vector("up == 1").stream()
                        .map(e -> e.metric().get("__meta_dns_name") == null ? e.metric().get("job") : "leaked")
                        .collect(Collectors.toSet()), "discovery labels are dropped after relabeling");
            }
        } finally {
            targets.forEach(TestTarget::close);
        }
    }

    /** The instances whose last scrape succeeded. */
    private static Set<String> instances(ApiClient api) throws Exception {
        return api.vector("up == 1").stream().map(e -> e.metric().get("instance")).collect(Collectors.toSet());
    }
}
