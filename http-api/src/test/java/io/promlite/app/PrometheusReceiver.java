package io.promlite.app;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's real Prometheus as a remote-write receiver ({@code --web.enable-remote-write-receiver}),
 * scraping nothing itself, on a temporary directory and a loopback port; it can be stopped and
 * started again on the same data, as an outage.
 */
final class PrometheusReceiver implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/prometheus");

    private final Path dir;
    private final int port;
    private Process process;

    PrometheusReceiver(Path dir) throws Exception {
        this.dir = dir;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("prometheus.yml"), "scrape_configs: []\n");
        start();
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    void start() throws Exception {
        process = new ProcessBuilder(BINARY.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-remote-write-receiver")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log").toFile()))
                .start();
        ApiClient api = api();
        EndToEndTest.eventually(() -> {
            try {
                return api.get("/-/ready").statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    /** Stops it cleanly (SIGTERM), as an operator restarting the receiver would. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    String writeUrl() {
        return "http://127.0.0.1:" + port + "/api/v1/write";
    }

    ApiClient api() {
        return new ApiClient(port);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
