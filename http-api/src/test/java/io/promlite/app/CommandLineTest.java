package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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

    private Run run(String... args) throws Exception {
        ChildPromlite child = ChildPromlite.start(tmp, List.of(), args);
        if (!child.process().waitFor(60, TimeUnit.SECONDS)) {
            child.process().destroyForcibly();
            throw new AssertionError("promlite did not exit");
        }
        return new Run(child.process().exitValue(), child.stdout(), child.log());
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
        ChildPromlite child = ChildPromlite.start(tmp, List.of(), "--config.file=" + config,
                "--storage.tsdb.path=" + tmp.resolve("data"), "--web.listen-address=127.0.0.1:0");
        try {
            child.awaitLog("Server is ready to receive web requests.");
            Files.writeString(config, "scrape_configs:\n  - job_name: x\n    bogus: 1\n");
            new ProcessBuilder("kill", "-HUP", Long.toString(child.process().pid())).start().waitFor();
            child.awaitLog("Error reloading config");
            Files.writeString(config, "scrape_configs: []\n");
            new ProcessBuilder("kill", "-HUP", Long.toString(child.process().pid())).start().waitFor();
            child.awaitLog("Completed loading of configuration file");
            assertTrue(child.process().isAlive(), "a reload must not stop the server");
        } finally {
            child.close();
        }
        assertEquals(0, child.process().exitValue(), child.log());
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
