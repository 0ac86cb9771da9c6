package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promlite.scraper.textparse.EntryType;
import io.promlite.scraper.textparse.TextParser;
import io.promlite.tsdb.model.Labels;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo apps of docker/demo run with the local python3 (as the stack runs them on the python
 * image): their /metrics parse in promlite's scrape parser, pass promtool check metrics, and carry
 * every demo metric the dashboard charts.
 */
class DemoAppsTest {
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    static Path tmp;
    private static final List<Process> processes = new ArrayList<>();
    private static String gallery;
    private static String accesslog;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static boolean pythonAvailable() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void start(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("python3", StackFiles.file("demo/" + name).toString()));
        cmd.addAll(List.of(args));
        processes.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile()).start());
    }

    private static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url);
        return r.body();
    }

    /** Polls until the condition holds; the apps need a moment to start and the visitor to visit. */
    private static String awaitBody(String url, String mustContain) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                String body = get(url);
                if (body.contains(mustContain)) {
                    return body;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(url + " never showed " + mustContain + " (logs in " + tmp + ")", last);
    }

    @BeforeAll
    static void startDemoApps() throws Exception {
        assumeTrue(pythonAvailable(), "python3 is not installed: the demo apps cannot run here");
        int galleryPort = freePort();
        int accesslogPort = freePort();
        start("image_gallery.py", "--port=" + galleryPort, "--error-rate=0.3");
        start("accesslog.py", "--port=" + accesslogPort, "--target=http://127.0.0.1:" + galleryPort,
                "--interval=0.01");
        gallery = "http://127.0.0.1:" + galleryPort;
        accesslog = "http://127.0.0.1:" + accesslogPort;
        // Visits have happened once both codes count something other than zero.
        awaitBody(accesslog + "/healthz", "ok");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline && (count(galleryBody(), "200") == 0 || count(galleryBody(), "500") == 0)) {
            Thread.sleep(100);
        }
    }

    private static String galleryBody() throws Exception {
        return awaitBody(gallery + "/metrics", "image_gallery_requests_total");
    }

    private static double count(String body, String code) {
        Matcher m = Pattern.compile("image_gallery_requests_total\\{code=\"" + code + "\",method=\"GET\"} (\\S+)")
                .matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @AfterAll
    static void stopDemoApps() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private record Scraped(Set<String> names, List<Labels> series) {
    }

    private static Scraped parse(String body) throws Exception {
        TextParser parser = new TextParser(TextParser.Format.PROMETHEUS_0_0_4, body.getBytes(StandardCharsets.UTF_8));
        Set<String> names = new TreeSet<>();
        List<Labels> series = new ArrayList<>();
        EntryType entry;
        while ((entry = parser.next()) != EntryType.EOF) {
            if (entry == EntryType.SERIES) {
                Labels labels = parser.labels();
                names.add(labels.metricName());
                series.add(labels);
            }
        }
        return new Scraped(names, series);
    }

    @Test
    void galleryExposesTheGoldenSignals() throws Exception {
        String body = galleryBody();
        Scraped scraped = parse(body);
        assertTrue(count(body, "200") > 0 && count(body, "500") > 0, "the visitor's requests are counted:\n" + body);
        assertTrue(scraped.series().contains(Labels.of("__name__", "image_gallery_requests_total", "code", "500",
                "method", "GET")), body);
        assertTrue(scraped.names().containsAll(Set.of("image_gallery_in_flight_requests",
                "image_gallery_request_duration_seconds_bucket", "image_gallery_request_duration_seconds_sum",
                "image_gallery_request_duration_seconds_count", "process_resident_memory_bytes",
                "process_cpu_seconds_total")), scraped.names().toString());
        Matcher inf = Pattern.compile("_bucket\\{le=\"\\+Inf\"} (\\d+)").matcher(body);
        Matcher total = Pattern.compile("_count (\\d+)").matcher(body);
        assertTrue(inf.find() && total.find(), body);
        assertEquals(inf.group(1), total.group(1), "the +Inf bucket counts every observation");
    }

    @Test
    void accesslogCountsItsLinesByHostname() throws Exception {
        Scraped scraped = parse(awaitBody(accesslog + "/metrics", "access_log_total"));
        List<Labels> lines = scraped.series().stream().filter(l -> l.metricName().equals("access_log_total")).toList();
        assertEquals(1, lines.size(), lines.toString());
        assertFalse(lines.get(0).getOrEmpty("hostname").isEmpty(), "labelled with the replica's hostname");
        String log = Files.readString(tmp.resolve("accesslog.py.log"));
        assertTrue(log.contains("\"GET /"), "writes an access log: " + log);
    }

    @Test
    void dashboardChartsOnlyMetricsTheDemoAppsExpose() throws Exception {
        Set<String> exposed = new TreeSet<>(parse(galleryBody()).names());
        exposed.addAll(parse(awaitBody(accesslog + "/metrics", "access_log_total")).names());
        Pattern demoMetric = Pattern.compile("\\b(image_gallery_\\w+|access_log_\\w+|process_\\w+)");
        Set<String> charted = new TreeSet<>();
        for (String q : StackFiles.dashboardQueries(StackFiles.json("grafana/dashboards/golden-signals.json"))) {
            Matcher m = demoMetric.matcher(q);
            while (m.find()) {
                charted.add(m.group(1));
            }
        }
        assertFalse(charted.isEmpty());
        assertTrue(exposed.containsAll(charted), "charted " + charted + ", exposed " + exposed);
    }

    @Test
    void promtoolCheckMetricsAcceptsBoth() throws Exception {
        assumeTrue(Files.isExecutable(PROMTOOL), PROMTOOL + " is not installed (Debian package prometheus)");
        for (String body : List.of(galleryBody(), awaitBody(accesslog + "/metrics", "access_log_total"))) {
            Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
            p.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), output + "\n" + body);
            assertEquals("", output, "no lint findings");
        }
    }
}
