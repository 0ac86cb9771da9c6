package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promlite.web.ListenAddress;
import io.promlite.remote.wire.WriteRequests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's {@code promtool} as a real client of the running server. Skipped, saying so, when
 * promtool is not installed ({@code .ci/run} installs it).
 */
class RealClientsTest {
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    @TempDir
    static Path tmp;
    private static Promlite server;
    private static ApiClient api;
    private static String url;
    private static final long T = System.currentTimeMillis() / 1000 - 60;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed at " + PROMTOOL
                + " (apt-get install prometheus); skipping the promtool client tests");
        ServerSettings settings = ServerSettings.builder(null, tmp.resolve("data"), ListenAddress.parse("127.0.0.1:0"))
                .enableRemoteWriteReceiver(true).build();
        server = Promlite.start(settings, null);
        api = new ApiClient(server.port());
        url = "http://127.0.0.1:" + server.port();
        assertEquals(204, api.remoteWrite(new WriteRequests()
                .series(new String[] {"__name__", "tool_metric", "job", "a"},
                        new long[] {(T - 30) * 1000, T * 1000}, new double[] {1.5, 2.5})
                .series(new String[] {"__name__", "tool_metric", "job", "b"}, T * 1000, 7).snappy()).statusCode());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run promtool(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PROMTOOL.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool did not finish: " + cmd);
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void queryInstant() throws Exception {
        Run r = promtool(null, "query", "instant", "--time=" + T, url, "tool_metric");
        assertEquals(0, r.exit(), r.err());
        assertEquals("tool_metric{job=\"a\"} => 2.5 @[" + T + "]\ntool_metric{job=\"b\"} => 7 @[" + T + "]\n", r.out());
        Run scalar = promtool(null, "query", "instant", "--time=4", url, "1+1");
        assertEquals("scalar: 2 @[4]\n", scalar.out(), scalar.err());
        Run bad = promtool(null, "query", "instant", url, "sum(");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("bad_data"), bad.err());
    }

    @Test
    void queryRange() throws Exception {
        Run r = promtool(null, "query", "range", "--start=" + (T - 30), "--end=" + T, "--step=30s", url,
                "tool_metric{job=\"a\"}");
        assertEquals(0, r.exit(), r.err());
        assertEquals("tool_metric{job=\"a\"} =>\n1.5 @[" + (T - 30) + "]\n2.5 @[" + T + "]\n", r.out());
    }

    @Test
    void querySeriesAndLabels() throws Exception {
        Run series = promtool(null, "query", "series", "--match=tool_metric", url);
        assertEquals(0, series.exit(), series.err());
        assertEquals("{__name__=\"tool_metric\", job=\"a\"}\n{__name__=\"tool_metric\", job=\"b\"}\n", series.out());
        // The embedded default config scrapes the server itself (job "promlite"): ask for the test's series only.
        Run labels = promtool(null, "query", "labels", "--match=tool_metric", url, "job");
        assertEquals(0, labels.exit(), labels.err());
        assertEquals("a\nb\n", labels.out());
    }

    @Test
    void ownMetricsPassCheckMetrics() throws Exception {
        String metrics = api.get("/metrics").body();
        Run r = promtool(metrics, "check", "metrics");
        assertEquals(0, r.exit(), "promtool check metrics: " + r.out() + r.err());
        assertEquals("", r.out() + r.err());
    }
}
