package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code promlite check config}: promtool's output and exit codes. */
class CheckConfigCommandTest {
    @TempDir
    Path tmp;

    private Path write(String name, String yaml) throws Exception {
        Path file = tmp.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void validFileSucceeds() throws Exception {
        Path good = write("good.yml", """
                global:
                  scrape_interval: 15s
                scrape_configs:
                  - job_name: app
                    static_configs: [ { targets: ["app:8080"] } ]
                """);
        CliRun r = CliRun.of("check", "config", good.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("Checking " + good + "\n SUCCESS: " + good + " is valid prometheus config file syntax\n\n",
                r.stdout());
        assertEquals("", r.stderr());
    }

    @Test
    void anyInvalidFileFailsTheRunWithFileAndLine() throws Exception {
        Path good = write("good.yml", "scrape_configs: []\n");
        Path bad = write("bad.yml", """
                scrape_configs:
                  - job_name: app
                    scrape_intervall: 5s
                """);
        Path missing = tmp.resolve("missing.yml");
        CliRun r = CliRun.of("check", "config", good.toString(), bad.toString(), missing.toString());
        assertEquals(1, r.exitCode());
        assertEquals("Checking " + good + "\n SUCCESS: " + good + " is valid prometheus config file syntax\n\n"
                + "Checking " + bad + "\n\nChecking " + missing + "\n\n", r.stdout());
        String[] failures = r.stderr().split("\n");
        assertEquals(2, failures.length, r.stderr());
        assertTrue(failures[0].startsWith("  FAILED: " + bad + ":3:"), failures[0]);
        assertTrue(failures[0].contains("scrape_intervall"), failures[0]);
        assertTrue(failures[1].startsWith("  FAILED: " + missing + ": cannot read config file"), failures[1]);
    }

    @Test
    void withoutFilesIsAUsageError() {
        CliRun r = CliRun.of("check", "config");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("Missing required parameter"), r.stderr());
        CliRun bare = CliRun.of("check");
        assertEquals(2, bare.exitCode());
        assertTrue(bare.stderr().contains("Missing required subcommand"), bare.stderr());
    }
}
