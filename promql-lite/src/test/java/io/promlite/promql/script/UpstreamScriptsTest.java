package io.promlite.promql.script;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.promql.script.ScriptRunner.CaseResult;
import io.promlite.promql.script.ScriptRunner.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs Prometheus's own PromQL test scripts (the shared promql-testdata directory). Each file
 * reports passed/failed/unsupported counts and its failures; a file fails the build when fewer
 * cases pass than its recorded floor in {@code upstream-floor.properties}, so progress can only
 * ratchet up.
 */
class UpstreamScriptsTest {
    @TestFactory
    Stream<DynamicTest> upstreamScripts() throws IOException {
        String shared = System.getProperty("promlite.shared.dir");
        Path dir = shared == null ? null : Path.of(shared, "promql-testdata");
        if (dir == null || !Files.isDirectory(dir)) {
            System.out.println("SKIPPED upstream PromQL scripts: directory not found: " + dir
                    + " (set -Dpromlite.shared.dir)");
            Assumptions.abort("upstream PromQL scripts not found at " + dir);
        }
        Properties floor = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/promql/upstream-floor.properties")) {
            if (in != null) {
                floor.load(in);
            }
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".test")).sorted().forEach(files::add);
        }
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            String name = f.getFileName().toString();
            List<CaseResult> results = new ScriptRunner(name, TestStorages::create).run(Files.readAllLines(f));
            long passed = results.stream().filter(r -> r.status() == Status.PASSED).count();
            long failed = results.stream().filter(r -> r.status() == Status.FAILED).count();
            long unsupported = results.stream().filter(r -> r.status() == Status.UNSUPPORTED).count();
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("upstream %-28s passed %4d  failed %4d  unsupported %4d%n", name, passed, failed,
                    unsupported));
            for (CaseResult r : results) {
                if (r.status() == Status.FAILED) {
                    sb.append(String.format("  FAIL %s:%d %s%n      %s%n", name, r.line(), r.query(),
                            abbreviate(r.detail())));
                }
            }
            System.out.print(sb);
            long min = Long.parseLong(floor.getProperty(name, "0"));
            assertTrue(passed >= min, name + ": " + passed + " cases passed, below the recorded floor of " + min);
        }));
    }

    private static String abbreviate(String s) {
        return s.length() > 400 ? s.substring(0, 400) + "…" : s;
    }
}
