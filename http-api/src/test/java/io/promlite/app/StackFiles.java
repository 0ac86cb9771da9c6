package io.promlite.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The repository's docker/ directory and readers for its YAML and JSON files. */
final class StackFiles {
    /** Surefire runs each module's tests in the module directory; docker/ is its sibling. */
    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    static final Path DOCKER = REPO.resolve("docker");

    private StackFiles() {
    }

    static Path file(String pathInDocker) {
        Path p = DOCKER.resolve(pathInDocker);
        assertTrue(Files.isRegularFile(p), p + " exists");
        return p;
    }

    static Map<String, Object> yaml(String pathInDocker) {
        try {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file(pathInDocker)));
            return map(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses strict JSON (no comments, no trailing commas) into maps, lists, strings, numbers and booleans. */
    static Map<String, Object> json(String pathInDocker) {
        try {
            return map(Json.parse(Files.readString(file(pathInDocker))));
        } catch (IOException e) {
            throw new UncheckedIOException(pathInDocker + ": " + e.getMessage(), e);
        }
    }

    /** A JSON array of strings, e.g. a Dockerfile's exec-form instruction. */
    static List<String> jsonStrings(String text) {
        try {
            List<String> out = new ArrayList<>();
            for (Object o : list(Json.parse(text))) {
                out.add((String) o);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        if (!(o instanceof Map)) {
            throw new AssertionError("expected a mapping, got " + o);
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        if (!(o instanceof List)) {
            throw new AssertionError("expected a sequence, got " + o);
        }
        return (List<Object>) o;
    }

    static Map<String, Object> map(Map<String, Object> parent, String key) {
        return map(parent.get(key));
    }

    static List<Object> list(Map<String, Object> parent, String key) {
        return list(parent.get(key));
    }

    /** Every PromQL expression of a Grafana dashboard, rows' nested panels included. */
    static List<String> dashboardQueries(Map<String, Object> dashboard) {
        List<String> out = new ArrayList<>();
        forEachPanel(list(dashboard, "panels"), panel -> {
            if (panel.get("targets") != null) {
                for (Object t : list(panel, "targets")) {
                    out.add((String) map(t).get("expr"));
                }
            }
        });
        return out;
    }

    static void forEachPanel(List<Object> panels, Consumer<Map<String, Object>> action) {
        for (Object o : panels) {
            Map<String, Object> panel = map(o);
            action.accept(panel);
            if (panel.get("panels") != null) {
                forEachPanel(list(panel, "panels"), action);
            }
        }
    }

    /**
     * What Grafana puts in place of its interval variables before it sends a query:
     * {@code $__rate_interval} is four scrape intervals (the data source's timeInterval, 15s) at
     * the dashboard's default time range.
     */
    static String asGrafanaSendsIt(String expr) {
        return expr.replace("$__rate_interval", "1m").replace("$__interval", "15s");
    }
}
