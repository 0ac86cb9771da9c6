package io.promlite.app;

import static io.promlite.app.StackFiles.DOCKER;
import static io.promlite.app.StackFiles.list;
import static io.promlite.app.StackFiles.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docker/docker-compose.yml, docker/prometheus.yml and the Grafana provisioning agree with each
 * other: every file they name exists, every address uses the port its service listens on.
 */
class DockerComposeStackTest {
    private static final Pattern PORT_FLAG = Pattern.compile("--port=(\\d+)");

    private final Map<String, Object> compose = StackFiles.yaml("docker-compose.yml");
    private final Map<String, Object> services = map(compose, "services");

    private Map<String, Object> service(String name) {
        assertTrue(services.containsKey(name), "compose service " + name + " in " + services.keySet());
        return map(services, name);
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        for (Object x : list(o)) {
            out.add(String.valueOf(x));
        }
        return out;
    }

    /** The port a service's process listens on inside its container. */
    private int listenPort(String name) {
        Map<String, Object> s = service(name);
        switch (name) {
            case "promlite" -> {
                String address = Main.commandLine().getCommandSpec().findOption("--web.listen-address").defaultValue();
                for (String arg : strings(s.get("command"))) {
                    if (arg.startsWith("--web.listen-address=")) {
                        address = arg.substring(arg.indexOf('=') + 1);
                    }
                }
                return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            }
            case "node-exporter" -> {
                return 9100; // node_exporter's default --web.listen-address=:9100, not overridden in the file
            }
            case "grafana" -> {
                return 3000; // Grafana's default http_port
            }
            default -> {
                Matcher m = PORT_FLAG.matcher(String.join(" ", strings(s.get("command"))));
                assertTrue(m.find(), name + " names its port with --port=");
                return Integer.parseInt(m.group(1));
            }
        }
    }

    /** The host file behind a path inside a service's container, through its bind mounts. */
    private Path hostPath(String name, String containerPath) {
        for (String volume : strings(service(name).get("volumes"))) {
            String[] parts = volume.split(":");
            if (parts[0].startsWith(".") && (containerPath.equals(parts[1])
                    || containerPath.startsWith(parts[1] + "/"))) {
                return DOCKER.resolve(parts[0]).resolve("." + containerPath.substring(parts[1].length())).normalize();
            }
        }
        throw new AssertionError(containerPath + " is not bind-mounted into " + name);
    }

    private void assertAddress(String hostAndPort, String context) {
        String host = hostAndPort.substring(0, hostAndPort.lastIndexOf(':'));
        int port = Integer.parseInt(hostAndPort.substring(hostAndPort.lastIndexOf(':') + 1));
        assertTrue(services.containsKey(host), context + ": " + host + " is a compose service");
        assertEquals(listenPort(host), port, context + ": port of " + host);
    }

    @Test
    void servicesAreTheStack() {
        assertEquals(Set.of("promlite", "grafana", "node-exporter", "image-gallery", "accesslog"), services.keySet());
        Map<String, Object> build = map(service("promlite"), "build");
        Path context = DOCKER.resolve((String) build.get("context")).normalize();
        assertEquals(StackFiles.REPO, context, "promlite is built from the repository root");
        assertTrue(Files.isRegularFile(context.resolve((String) build.get("dockerfile"))), "the Dockerfile exists");
    }

    @Test
    void everyServiceHasAHealthcheckOnItsOwnPort() {
        for (String name : services.keySet()) {
            List<String> test = strings(map(service(name), "healthcheck").get("test"));
            assertEquals("CMD", test.get(0), name + ": exec form, no shell needed");
            String url = test.stream().flatMap(a -> Stream.of(a.split("[ '=\"]"))).filter(a -> a.startsWith("http://"))
                    .findFirst().orElseThrow(() -> new AssertionError(name + " healthcheck probes a URL: " + test));
            URI uri = URI.create(url);
            assertTrue(Set.of("localhost", "127.0.0.1").contains(uri.getHost()), name + " probes itself: " + url);
            assertEquals(listenPort(name), uri.getPort(), name + " healthcheck port");
        }
        assertEquals(List.of("CMD", "promlite", "healthcheck"),
                strings(map(service("promlite"), "healthcheck").get("test")).subList(0, 3),
                "promlite is probed by its own subcommand");
    }

    @Test
    void dependenciesWaitForHealthyServices() {
        for (String name : services.keySet()) {
            Object dependsOn = service(name).get("depends_on");
            if (dependsOn == null) {
                continue;
            }
            map(dependsOn).forEach((dependency, condition) -> {
                assertEquals("service_healthy", map(condition).get("condition"), name + " -> " + dependency);
                assertNotNull(service(dependency).get("healthcheck"), dependency + " has a healthcheck to wait for");
            });
        }
        assertTrue(map(service("grafana"), "depends_on").containsKey("promlite"));
        assertTrue(map(service("accesslog"), "depends_on").containsKey("image-gallery"));
    }

    @Test
    void accesslogCanBeScaled() {
        Map<String, Object> accesslog = service("accesslog");
        assertNull(accesslog.get("container_name"), "a fixed container name allows one replica only");
        assertNull(accesslog.get("ports"), "a published host port allows one replica only");
    }

    @Test
    void publishedPortsAndMountsExist() {
        Set<String> namedVolumes = map(compose, "volumes").keySet();
        for (String name : services.keySet()) {
            Map<String, Object> s = service(name);
            if (s.get("ports") != null) {
                for (String mapping : strings(s.get("ports"))) {
                    int container = Integer.parseInt(mapping.substring(mapping.lastIndexOf(':') + 1));
                    assertEquals(listenPort(name), container, name + " publishes its own port: " + mapping);
                }
            }
            if (s.get("volumes") != null) {
                for (String volume : strings(s.get("volumes"))) {
                    String source = volume.split(":")[0];
                    if (source.startsWith(".")) {
                        assertTrue(Files.exists(DOCKER.resolve(source)), name + ": " + source + " exists");
                    } else if (!source.startsWith("/")) {
                        assertTrue(namedVolumes.contains(source), name + ": volume " + source + " is declared");
                    }
                }
            }
        }
    }

    @Test
    void demoServicesRunTheScriptsInDockerDemo() {
        for (String name : List.of("image-gallery", "accesslog")) {
            Map<String, Object> s = service(name);
            assertTrue(((String) s.get("image")).startsWith("python:3"), name + " runs on the official python image");
            String script = strings(s.get("command")).get(1);
            Path onHost = hostPath(name, script);
            assertTrue(Files.isRegularFile(onHost), name + ": " + script + " is " + onHost);
            assertTrue(Files.isRegularFile(onHost.resolveSibling("demo_metrics.py")), "its helper module is mounted too");
        }
        assertTrue(strings(service("accesslog").get("command"))
                        .contains("--target=http://image-gallery:" + listenPort("image-gallery")),
                "the accesslog replicas visit the gallery on its port");
    }

    @Test
    void promliteReadsTheStackConfigAndAcceptsItsCommandLine() {
        Map<String, Object> promlite = service("promlite");
        List<String> command = strings(promlite.get("command"));
        Main.commandLine().parseArgs(command.toArray(String[]::new));
        String configFile = command.stream().filter(a -> a.startsWith("--config.file="))
                .map(a -> a.substring("--config.file=".length())).findFirst().orElseThrow();
        assertEquals(DOCKER.resolve("prometheus.yml"), hostPath("promlite", configFile));
        assertTrue(strings(promlite.get("volumes")).contains("promlite-data:/prometheus"),
                "data lives in a named volume");
    }

    @Test
    void scrapeTargetsAreTheStacksServicesOnTheirPorts() {
        Map<String, Object> config = StackFiles.yaml("prometheus.yml");
        Set<String> jobs = new java.util.TreeSet<>();
        for (Object o : list(config, "scrape_configs")) {
            Map<String, Object> job = map(o);
            String jobName = (String) job.get("job_name");
            jobs.add(jobName);
            if (job.get("static_configs") != null) {
                for (Object sc : list(job, "static_configs")) {
                    for (String target : strings(map(sc).get("targets"))) {
                        assertAddress(target.startsWith("localhost:") ? "promlite" + target.substring(9) : target,
                                "job " + jobName);
                    }
                }
            }
            if (job.get("dns_sd_configs") != null) {
                for (Object dns : list(job, "dns_sd_configs")) {
                    Map<String, Object> d = map(dns);
                    assertEquals("A", d.get("type"), "Docker's DNS answers service names with A records");
                    for (String host : strings(d.get("names"))) {
                        assertAddress(host + ":" + d.get("port"), "job " + jobName + " (dns_sd_configs)");
                    }
                }
            }
        }
        assertEquals(Set.of("promlite", "image-gallery", "node", "accesslog"), jobs);
        Map<String, Object> accesslog = list(config, "scrape_configs").stream().map(StackFiles::map)
                .filter(j -> "accesslog".equals(j.get("job_name"))).findFirst().orElseThrow();
        assertNotNull(accesslog.get("dns_sd_configs"), "the scaled service is found through DNS");
    }

    @Test
    void grafanaUsesPromliteAsAPrometheusDataSource() {
        Path provisioning = hostPath("grafana", "/etc/grafana/provisioning");
        assertEquals(DOCKER.resolve("grafana/provisioning"), provisioning);
        List<Object> datasources = list(StackFiles.yaml("grafana/provisioning/datasources/promlite.yml"), "datasources");
        assertEquals(1, datasources.size());
        Map<String, Object> ds = map(datasources.get(0));
        assertEquals("prometheus", ds.get("type"));
        URI url = URI.create((String) ds.get("url"));
        assertAddress(url.getHost() + ":" + url.getPort(), "data source URL");
        assertEquals("promlite", url.getHost());
        Map<String, Object> global = map(StackFiles.yaml("prometheus.yml"), "global");
        assertEquals(global.get("scrape_interval"), map(ds, "jsonData").get("timeInterval"),
                "Grafana's minimum interval is promlite's scrape interval");

        String uid = (String) ds.get("uid");
        Map<String, Object> dashboard = StackFiles.json("grafana/dashboards/golden-signals.json");
        StackFiles.forEachPanel(list(dashboard, "panels"), panel -> {
            if (panel.get("targets") != null) {
                assertEquals(uid, map(panel, "datasource").get("uid"), "panel " + panel.get("title"));
                for (Object t : list(panel, "targets")) {
                    assertEquals(uid, map(map(t), "datasource").get("uid"), "query of " + panel.get("title"));
                }
            }
        });
    }

    @Test
    void grafanaLoadsTheDashboardFromAMountedDirectory() throws IOException {
        List<Object> providers = list(StackFiles.yaml("grafana/provisioning/dashboards/promlite.yml"), "providers");
        assertEquals(1, providers.size());
        Map<String, Object> provider = map(providers.get(0));
        assertEquals("file", provider.get("type"));
        Path dir = hostPath("grafana", (String) map(provider, "options").get("path"));
        assertTrue(Files.isDirectory(dir), dir + " is a directory");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> dashboards = files.filter(f -> f.toString().endsWith(".json")).toList();
            assertFalse(dashboards.isEmpty(), "dashboards in " + dir);
            for (Path f : dashboards) {
                assertNotNull(StackFiles.json(DOCKER.relativize(f).toString()).get("uid"), f + " has a uid");
            }
        }
        String home = (String) map(service("grafana"), "environment").get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
        assertTrue(Files.isRegularFile(hostPath("grafana", home)), "home dashboard " + home);
    }
}
