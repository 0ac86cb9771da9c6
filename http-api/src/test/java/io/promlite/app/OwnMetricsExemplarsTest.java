package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * promlite's own metrics sample no exemplars: the real entry point runs in a child JVM and scrapes
 * itself every second (each scrape counted and timed by its own metrics), and the client library's
 * timer thread, which only expires sampled exemplars, never starts. Threads are read from /proc.
 */
class OwnMetricsExemplarsTest {
    /** The library's "prometheus-metrics" thread as /proc shows it, cut to 15 characters. */
    private static final String TIMER_THREAD = "prometheus-metr";

    @TempDir
    Path tmp;

    @Test
    void ownMetricsStartNoExemplarTimer() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "threads are listed in /proc");
        assertFalse(threadsAfterScrapes(false).contains(TIMER_THREAD));
    }

    /** The command line can still turn exemplars on, which also shows the thread is detectable. */
    @Test
    void theCommandLineCanTurnExemplarsBackOn() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "threads are listed in /proc");
        assertTrue(threadsAfterScrapes(true).contains(TIMER_THREAD));
    }

    /** Starts promlite scraping itself and returns its thread names after a few scrapes. */
    private Set<String> threadsAfterScrapes(boolean exemplarsOn) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = tmp.resolve("promlite.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: self
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(port));
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        if (exemplarsOn) {
            cmd.add("-D" + Main.EXEMPLARS_ENABLED + "=true");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--config.file=" + config, "--storage.tsdb.path=" + tmp.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port));
        Path err = tmp.resolve("err");
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(tmp.resolve("out").toFile())
                .redirectError(err.toFile()).start();
        try {
            awaitLog(err, "Server is ready to receive web requests.");
            // Scrapes start within an interval; the timer thread, when on, starts at the first.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(exemplarsOn ? 20 : 4);
            Set<String> threads;
            do {
                Thread.sleep(200);
                threads = threadNames(p.pid());
            } while (!threads.contains(TIMER_THREAD) && System.nanoTime() < deadline);
            assertTrue(p.isAlive(), Files.readString(err));
            return threads;
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static Set<String> threadNames(long pid) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.map(t -> {
                try {
                    return Files.readString(t.resolve("comm"), StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    return ""; // the thread ended meanwhile
                }
            }).collect(Collectors.toSet());
        }
    }

    private static void awaitLog(Path log, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log, StandardCharsets.UTF_8).contains(line)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no \"" + line + "\" in the log:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }
}
