package io.promlite.promql.script;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.promlite.promql.script.ScriptRunner.CaseResult;
import io.promlite.promql.script.ScriptRunner.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** promlite's own PromQL scripts (src/test/resources/promql): every case must pass. */
class ProjectScriptsTest {
    private static final List<String> SCRIPTS = List.of("seed_queries.test", "error_paths.test", "annotations.test",
            "topk_ties.test", "start_timestamps.test");

    @TestFactory
    Stream<DynamicNode> projectScripts() {
        return SCRIPTS.stream().map(name -> {
            List<CaseResult> results = new ScriptRunner(name, TestStorages::create).run(read(name));
            return DynamicContainer.dynamicContainer(name, results.stream().map(r ->
                    DynamicTest.dynamicTest("line " + r.line() + ": " + r.query(),
                            () -> assertEquals(Status.PASSED, r.status(), r.detail()))));
        });
    }

    private static List<String> read(String name) {
        try (InputStream in = ProjectScriptsTest.class.getResourceAsStream("/promql/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
