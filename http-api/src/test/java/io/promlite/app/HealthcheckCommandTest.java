package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.promlite.web.ListenAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code promlite healthcheck} against real servers on loopback. */
class HealthcheckCommandTest {
    @TempDir
    Path tmp;

    private Promlite startServer() throws Exception {
        ServerSettings settings = ServerSettings.defaults(null, tmp.resolve("data"), ListenAddress.parse("127.0.0.1:0"));
        return Promlite.start(settings, null);
    }

    @Test
    void runningServerIsHealthyAndStoppedOneIsNot() throws Exception {
        String url;
        try (Promlite server = startServer()) {
            url = "http://127.0.0.1:" + server.port() + "/-/healthy";
            CliRun healthy = CliRun.of("healthcheck", "--url=" + url);
            assertEquals(0, healthy.exitCode(), healthy.stderr());
            assertEquals("healthy: " + url + " answered 200\n", healthy.stdout());
        }
        CliRun stopped = CliRun.of("healthcheck", "--url=" + url, "--timeout=2s");
        assertEquals(1, stopped.exitCode());
        assertTrue(stopped.stderr().startsWith("unhealthy: " + url + " cannot connect"), stopped.stderr());
        assertEquals(1, stopped.stderr().lines().count(), "one line: " + stopped.stderr());
    }

    @Test
    void non200AnswerIsUnhealthy() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/-/healthy", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/-/healthy";
            CliRun r = CliRun.of("healthcheck", "--url", url);
            assertEquals(1, r.exitCode());
            assertEquals("unhealthy: " + url + " answered 503\n", r.stderr());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void silentServerFailsWithinTheTimeout() throws IOException {
        // The kernel completes the TCP handshake from the listen backlog; nobody ever answers.
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/-/healthy";
            long start = System.nanoTime();
            CliRun r = CliRun.of("healthcheck", "--url=" + url, "--timeout=500ms");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(1, r.exitCode());
            assertEquals("unhealthy: " + url + " did not answer within 500ms\n", r.stderr());
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "gave up after " + took);
        }
    }

    @Test
    void unknownHostIsUnhealthyAndSaysSo() {
        // .invalid never resolves (RFC 2606).
        String url = "http://promlite.invalid:9090/-/healthy";
        CliRun r = CliRun.of("healthcheck", "--url=" + url, "--timeout=2s");
        assertEquals(1, r.exitCode());
        assertEquals("unhealthy: " + url + " cannot connect: cannot resolve host promlite.invalid\n", r.stderr());
    }

    @Test
    void malformedUrlIsAUsageError() {
        CliRun r = CliRun.of("healthcheck", "--url=localhost:9090");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("invalid URL \"localhost:9090\""), r.stderr());
    }
}
