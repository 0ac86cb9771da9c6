package io.promlite.scraper;

import static io.promlite.scraper.ScrapeManagerTest.await;
import static io.promlite.scraper.ScrapeManagerTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** follow_redirects against real HTTP servers that redirect. */
class RedirectTest {
    private StoredSamples storage;
    private ScrapeManager manager;
    private HttpServer redirector;
    /** The path of every request the redirector answered. */
    private final Queue<String> seen = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void open(@TempDir Path dir) throws Exception {
        storage = new StoredSamples(dir);
        manager = new ScrapeManager(storage.tsdb, new PrometheusRegistry());
        redirector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // /status/<code>?to=<location> answers <code> with that Location (none without "to");
        // /chain/<n>/<i> redirects to /chain/<n>/<i+1> until i reaches n; anything else is a
        // metrics body naming its path.
        redirector.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getQuery();
            seen.add(path);
            String[] parts = path.split("/");
            int status = 200;
            String location = null;
            if (parts.length == 3 && parts[1].equals("status")) {
                status = Integer.parseInt(parts[2]);
                location = query == null ? "" : query.substring("to=".length());
            } else if (parts.length == 4 && parts[1].equals("chain") && !parts[2].equals(parts[3])) {
                status = 302;
                location = "/chain/" + parts[2] + "/" + (Integer.parseInt(parts[3]) + 1);
            }
            byte[] body = ("landed{path=\"" + path + "\"} 1\n").getBytes(StandardCharsets.UTF_8);
            if (location != null) {
                if (!location.isEmpty()) {
                    exchange.getResponseHeaders().set("Location", location);
                }
                body = new byte[0];
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        redirector.start();
    }

    @AfterEach
    void close() {
        manager.close();
        redirector.stop(0);
        storage.close();
    }

    private String address() {
        return "127.0.0.1:" + redirector.getAddress().getPort();
    }

    private static String job(String name, String address, String path, String extra) {
        return "  - job_name: '" + name + "'\n"
                + "    scrape_interval: 400ms\n"
                + "    metrics_path: '" + path + "'\n"
                + extra
                + "    static_configs: [ { targets: ['" + address + "'] } ]\n";
    }

    /** A job scraping /status/{code}, answered with a redirect to {@code location}. */
    private static String redirected(String name, String address, int code, String location, String extra) {
        return "  - job_name: '" + name + "'\n"
                + "    scrape_interval: 400ms\n"
                + "    metrics_path: /status/" + code + "\n"
                + "    params: {to: ['" + location + "']}\n"
                + extra
                + "    static_configs: [ { targets: ['" + address + "'] } ]\n";
    }

    private Map<String, TargetStatus> statusByJob() {
        return manager.activeTargets().stream().collect(Collectors.toMap(TargetStatus::scrapePool, t -> t));
    }

    private void awaitHealth(String job, String health, String error) throws InterruptedException {
        try {
            await(job + " " + health, () -> {
                TargetStatus s = statusByJob().get(job);
                return s != null && s.health().equals(health) && s.lastError().equals(error);
            });
        } catch (AssertionError e) {
            TargetStatus s = statusByJob().get(job);
            assertEquals(health + " " + error, s.health() + " " + s.lastError());
        }
    }

    private List<String> landedPaths(String job) {
        return storage.samples("__name__", "landed", "job", job).stream()
                .map(s -> s.labels().get("path")).distinct().toList();
    }

    @Test
    void followsEveryRedirectStatusGoFollowsByDefault() throws Exception {
        StringBuilder jobs = new StringBuilder("scrape_configs:\n");
        for (int code : new int[] {301, 302, 303, 307, 308}) {
            jobs.append(redirected("s" + code, address(), code, "/landed/" + code, ""));
        }
        manager.apply(config(jobs.toString()));
        for (int code : new int[] {301, 302, 303, 307, 308}) {
            String job = "s" + code;
            awaitHealth(job, "up", "");
            await(job + "'s redirected body", () -> landedPaths(job).equals(List.of("/landed/" + code)));
        }
    }

    @Test
    void followsToAnotherServerWithTheSameCredentials() throws Exception {
        try (TestTarget other = new TestTarget().body("elsewhere 1\n")) {
            String location = "http://" + other.address() + "/metrics";
            manager.apply(config("scrape_configs:\n" + redirected("moved", address(), 307, location,
                    "    basic_auth: {username: user, password: pass}\n")));
            awaitHealth("moved", "up", "");
            await("the redirected scrape stored", () -> !storage.samples("__name__", "elsewhere", "job", "moved").isEmpty());
            assertEquals("Basic dXNlcjpwYXNz", other.lastRequestHeaders().getFirst("Authorization"),
                    "Prometheus sends the job's credentials with every request, redirects included");
            assertEquals("0.4", other.lastRequestHeaders().getFirst("X-Prometheus-Scrape-Timeout-Seconds"));
            assertEquals("/metrics", other.lastRequestUri());
            assertEquals("http://" + address() + "/status/307?to=http%3A%2F%2F" + other.address().replace(":", "%3A")
                    + "%2Fmetrics", statusByJob().get("moved").scrapeUrl(), "the target is the URL configured");
        }
    }

    @Test
    void aRedirectFailsTheScrapeWhenNotFollowed() throws Exception {
        manager.apply(config("scrape_configs:\n"
                + redirected("off", address(), 302, "/landed", "    follow_redirects: false\n")));
        // Prometheus's text carries the status line as the server sent it (the JDK's server says
        // "Temporary Redirect" where Go's says "Found").
        awaitHealth("off", "down", "server returned HTTP status 302 Temporary Redirect");
        assertEquals(List.of(), landedPaths("off"));
        assertEquals(List.of(), seen.stream().filter(s -> s.startsWith("/landed")).toList(), "never followed");
    }

    @Test
    void stopsAtTheTenthRedirectAsGoDoes() throws Exception {
        manager.apply(config("scrape_configs:\n"
                + job("nine", address(), "/chain/9/0", "")
                + job("ten", address(), "/chain/10/0", "")));
        awaitHealth("nine", "up", "");
        awaitHealth("ten", "down", "Get \"/chain/10/10\": stopped after 10 redirects");
        await("nine's body", () -> landedPaths("nine").equals(List.of("/chain/9/9")));
    }

    @Test
    void aRedirectWithoutLocationIsAFailedScrape() throws Exception {
        manager.apply(config("scrape_configs:\n" + job("noloc", address(), "/status/302", "")));
        awaitHealth("noloc", "down", "server returned HTTP status 302 Temporary Redirect");
    }

    @Test
    void aRedirectToAnotherSchemeFails() throws Exception {
        manager.apply(config("scrape_configs:\n" + redirected("ftp", address(), 302, "ftp://x/y", "")));
        awaitHealth("ftp", "down", "Get \"ftp://x/y\": unsupported protocol scheme \"ftp\"");
    }

    @Test
    void theScrapeTimeoutCoversEveryHop() throws Exception {
        try (TestTarget slow = new TestTarget().body("slow 1\n").delayMs(2000)) {
            String location = "http://" + slow.address() + "/metrics";
            manager.apply(config("scrape_configs:\n" + redirected("slow", address(), 302, location,
                    "    scrape_timeout: 300ms\n")));
            awaitHealth("slow", "down", "Get \"" + location + "\": context deadline exceeded");
        }
    }
}
