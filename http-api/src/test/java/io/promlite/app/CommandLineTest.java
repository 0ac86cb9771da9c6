package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real entry point in a child JVM and checks exit codes and messages. */
class CommandLineTest {
    @TempDir
    Path tmp;

    private record Run(int exitCode, String stdout, String stderr) {
    }

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile())
                .redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promlite did not exit");
        }
        return new Run(p.exitValue(), Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(tmp.resolve("err"), StandardCharsets.UTF_8));
    }

    @Test
    void unknownConfigFieldExitsOneNamingFileLineAndField() throws Exception {
        Path config = tmp.resolve("bad.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 15s
                scrape_configs:
                  - job_name: a
                    scrape_intervall: 5s
                """);
        Run r = run("--config.file=" + config, "--storage.tsdb.path=" + tmp.resolve("data"),
                "--web.listen-address=127.0.0.1:0");
        assertEquals(1, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains(config + ":5"), r.stderr());
        assertTrue(r.stderr().contains("scrape_intervall"), r.stderr());
        assertTrue(Files.notExists(tmp.resolve("data")), "nothing may start with a bad config");
    }

    @Test
    void unknownFlagExitsTwoWithUsage() throws Exception {
        Run r = run("--no.such-flag");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("Unknown option: '--no.such-flag'"), r.stderr());
        assertTrue(r.stderr().contains("--config.file"), "usage is printed: " + r.stderr());
    }

    @Test
    void badFlagValueExitsTwo() throws Exception {
        Run r = run("--storage.tsdb.retention.time=soon");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("not a valid duration string: \"soon\""), r.stderr());
        assertTrue(r.stderr().contains("Usage:"), r.stderr());
    }

    @Test
    void badSizeAndUrlFlagsExitTwo() throws Exception {
        Run size = run("--storage.tsdb.retention.size=lots");
        assertEquals(2, size.exitCode());
        assertTrue(size.stderr().contains("not a valid size: \"lots\""), size.stderr());
        Run url = run("--web.external-url=not a url");
        assertEquals(2, url.exitCode());
        assertTrue(url.stderr().contains("invalid URL"), url.stderr());
    }

    /** SIGHUP reloads the configuration file, as for Prometheus; a bad file is logged and not applied. */
    @Test
    void hangupReloadsTheConfiguration() throws Exception {
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, "scrape_configs: []\n");
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--config.file=" + config, "--storage.tsdb.path=" + tmp.resolve("data"),
                "--web.listen-address=127.0.0.1:0");
        Path err = tmp.resolve("hup.err");
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(tmp.resolve("hup.out").toFile())
                .redirectError(err.toFile()).start();
        try {
            awaitLog(err, "Server is ready to receive web requests.");
            Files.writeString(config, "scrape_configs:\n  - job_name: x\n    bogus: 1\n");
            new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
            awaitLog(err, "Error reloading config");
            Files.writeString(config, "scrape_configs: []\n");
            new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
            awaitLog(err, "Completed loading of configuration file");
            assertTrue(p.isAlive(), "a reload must not stop the server");
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        assertEquals(0, p.exitValue(), Files.readString(err));
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

    @Test
    void versionAndHelp() throws Exception {
        Run version = run("--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.stdout().startsWith("promlite, version "), version.stdout());
        Run help = run("--help");
        assertEquals(0, help.exitCode());
        for (String flag : List.of("--config.file", "--storage.tsdb.path", "--web.listen-address",
                "--storage.tsdb.retention.time", "--storage.tsdb.retention.size", "--web.external-url",
                "--web.route-prefix", "--web.enable-lifecycle", "--web.enable-admin-api",
                "--web.enable-remote-write-receiver", "--query.timeout", "--query.max-samples",
                "--query.max-concurrency", "--query.lookback-delta")) {
            assertTrue(help.stdout().contains(flag), flag + " in " + help.stdout());
        }
    }
}
