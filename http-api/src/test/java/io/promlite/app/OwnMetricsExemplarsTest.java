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
        List<String> jvmOptions = exemplarsOn ? List.of("-D" + Main.EXEMPLARS_ENABLED + "=true") : List.of();
        try (ChildPromlite child = ChildPromlite.start(tmp, jvmOptions, "--config.file=" + config,
                "--storage.tsdb.path=" + tmp.resolve("data"), "--web.listen-address=127.0.0.1:" + port)) {
            child.awaitLog("Server is ready to receive web requests.");
            // Scrapes start within an interval; the timer thread, when on, starts at the first.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(exemplarsOn ? 20 : 4);
            Set<String> threads;
            do {
                Thread.sleep(200);
                threads = threadNames(child.process().pid());
            } while (!threads.contains(TIMER_THREAD) && System.nanoTime() < deadline);
            assertTrue(child.process().isAlive(), child.log());
            return threads;
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
}
