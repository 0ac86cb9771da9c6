package io.promlite.promql;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Warnings and infos collected while evaluating one query, as Prometheus 3.x annotates results
 * (util/annotations). Each carries the query offset of the node that caused it and is written
 * {@code "<text> (line:column)"}. Identical texts are kept once, like Prometheus, which keys its
 * annotations by text without the position (so the last position reported wins).
 */
public final class Annotations {
    public static final String WARNING_PREFIX = "PromQL warning: ";
    public static final String INFO_PREFIX = "PromQL info: ";

    private final Map<String, Integer> warnings = new LinkedHashMap<>();
    private final Map<String, Integer> infos = new LinkedHashMap<>();

    /** Adds a warning; {@code text} follows the {@code "PromQL warning: "} prefix. */
    public void warning(String text, int pos) {
        warnings.put(WARNING_PREFIX + text, pos);
    }

    /** Adds an info; {@code text} follows the {@code "PromQL info: "} prefix. */
    public void info(String text, int pos) {
        infos.put(INFO_PREFIX + text, pos);
    }

    public List<String> warnings(String query) {
        return render(warnings, query);
    }

    public List<String> infos(String query) {
        return render(infos, query);
    }

    private static List<String> render(Map<String, Integer> annotations, String query) {
        List<String> out = new ArrayList<>(annotations.size());
        annotations.forEach((text, pos) -> out.add(text + " (" + position(query, pos) + ")"));
        return List.copyOf(out);
    }

    /**
     * Prometheus's {@code line:column} of an offset: both 1-based, the column counted in UTF-8
     * bytes (Prometheus's positions are byte offsets) from the last line break.
     */
    static String position(String query, int pos) {
        int p = Math.max(0, Math.min(pos, query.length()));
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < p; i++) {
            if (query.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return line + ":" + (query.substring(lineStart, p).getBytes(StandardCharsets.UTF_8).length + 1);
    }
}
