package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.remote.wire.WriteRequests;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --enable-feature} given on the real command line, observed over HTTP. */
class FeatureFlagsTest {
    private static final String BY_NAME = "sum by (__name__) (rate({job=\"api\"}[1m]))";

    @TempDir
    Path tmp;

    @Test
    void delayedNameRemovalKeepsNamesUntilTheResultAndUnknownOptionsAreLoggedAndIgnored() throws Exception {
        Process server = start("delayed", "--enable-feature=bogus,promql-delayed-name-removal",
                "--enable-feature=other");
        try {
            ApiClient api = new ApiClient(portOf(server, tmp.resolve("delayed.err")));
            long t = writeTwoCounters(api);
            // Names survive rate() until the end, so the two series stay apart and then collide.
            HttpResponse<String> r = api.get("/api/v1/query?query=" + ApiClient.encode(BY_NAME) + "&time=" + t);
            assertEquals(422, r.statusCode(), r.body());
            assertTrue(r.body().contains("vector cannot contain metrics with the same labelset"), r.body());
            assertTrue(api.get("/api/v1/status/flags").body().contains("\"enable-feature\":\"promql-delayed-name-removal\""));
        } finally {
            stop(server);
        }
        String log = Files.readString(tmp.resolve("delayed.err"), StandardCharsets.UTF_8);
        assertTrue(log.contains("Experimental PromQL delayed name removal enabled."), log);
        assertTrue(log.contains("option=bogus") && log.contains("option=other"), log);
        assertTrue(log.contains("Unknown option for --enable-feature"), log);
    }

    @Test
    void withoutTheFeatureFunctionsDropNamesAtOnce() throws Exception {
        Process server = start("plain");
        try {
            ApiClient api = new ApiClient(portOf(server, tmp.resolve("plain.err")));
            long t = writeTwoCounters(api);
            HttpResponse<String> r = api.get("/api/v1/query?query=" + ApiClient.encode(BY_NAME) + "&time=" + t);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"result\":[{\"metric\":{},"), r.body());
        } finally {
            stop(server);
        }
    }

    /** Two counters of one job on two instances, a sample a second for a minute; returns the last sample's time in seconds. */
    private static long writeTwoCounters(ApiClient api) throws Exception {
        long start = System.currentTimeMillis() / 1000 * 1000 - 120_000;
        long[] ts = new long[60];
        double[] vs = new double[60];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = start + i * 1000L;
            vs[i] = i;
        }
        HttpResponse<String> w = api.remoteWrite(new WriteRequests()
                .series(new String[] {"__name__", "a_total", "instance", "a", "job", "api"}, ts, vs)
                .series(new String[] {"__name__", "b_total", "instance", "b", "job", "api"}, ts, vs).snappy());
        assertEquals(204, w.statusCode(), w.body());
        return ts[ts.length - 1] / 1000;
    }

    private Process start(String name, String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--storage.tsdb.path=" + tmp.resolve(name), "--web.listen-address=127.0.0.1:0",
                "--web.enable-remote-write-receiver"));
        cmd.addAll(List.of(flags));
        return new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(tmp.resolve(name + ".out").toFile())
                .redirectError(tmp.resolve(name + ".err").toFile()).start();
    }

    /** The port from the server's log, once it is ready. */
    private static int portOf(Process server, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Pattern listening = Pattern.compile("address=127\\.0\\.0\\.1:(\\d+)");
        while (true) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            Matcher m = listening.matcher(text);
            if (text.contains("Server is ready to receive web requests.") && m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!server.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("promlite did not become ready:\n" + text);
            }
            Thread.sleep(100);
        }
    }

    private static void stop(Process server) throws InterruptedException {
        server.destroy();
        if (!server.waitFor(20, TimeUnit.SECONDS)) {
            server.destroyForcibly();
        }
    }
}
