package io.promlite.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed reads from a composed YAML node tree. Every failure becomes a {@link ConfigException}
 * carrying the node's line and column and the field's path, which a data-binding parse would lose.
 */
final class YamlNodes {
    private static final Logger log = LoggerFactory.getLogger(YamlNodes.class);

    private final String sourceName;
    /** The directory relative file paths resolve against, or null to leave them as written. */
    private final Path baseDir;

    YamlNodes(String sourceName, Path baseDir) {
        this.sourceName = sourceName;
        this.baseDir = baseDir;
    }

    /**
     * For a field handler's fallback: true, with a warning, when the field is one Prometheus knows
     * but promlite does not implement, so an existing {@code prometheus.yml} still loads.
     */
    boolean ignored(boolean knownToPrometheus, String path) {
        if (knownToPrometheus) {
            log.warn("{}: {} is not supported by promlite and is ignored", sourceName, path);
        }
        return knownToPrometheus;
    }

    ConfigException error(Node node, String path, String problem) {
        Mark mark = node.getStartMark();
        return new ConfigException(sourceName, mark.getLine() + 1, mark.getColumn() + 1, path, problem);
    }

    static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    static boolean isNull(Node node) {
        return node == null || (node instanceof ScalarNode && Tag.NULL.equals(node.getTag()));
    }

    /** Called per mapping key; returns false when the key is not a field of the type. */
    interface FieldHandler {
        boolean field(String key, Node value, String path) throws ConfigException;
    }

    /**
     * Walks a mapping's fields in order, rejecting non-string and repeated keys, and keys the
     * handler does not know with Prometheus's strict-unmarshal wording.
     */
    void fields(Node node, String path, String goType, FieldHandler handler) throws ConfigException {
        if (isNull(node)) {
            return;
        }
        MappingNode mapping = mapping(node, path, goType);
        Map<String, Node> seen = new HashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = keyOf(tuple.getKeyNode(), path);
            String fieldPath = path.isEmpty() ? key : path + "." + key;
            Node previous = seen.putIfAbsent(key, tuple.getKeyNode());
            if (previous != null) {
                throw error(tuple.getKeyNode(), fieldPath, "mapping key \"" + key + "\" already defined at line "
                        + (previous.getStartMark().getLine() + 1));
            }
            if (!handler.field(key, tuple.getValueNode(), fieldPath)) {
                throw error(tuple.getKeyNode(), fieldPath, "field " + key + " not found in type " + goType);
            }
        }
    }

    private MappingNode mapping(Node node, String path, String goType) throws ConfigException {
        if (node instanceof MappingNode m) {
            return m;
        }
        throw error(node, path.isEmpty() ? null : path, "cannot unmarshal " + describe(node) + " into " + goType);
    }

    private String keyOf(Node keyNode, String path) throws ConfigException {
        if (keyNode instanceof ScalarNode s && !isNull(s)) {
            return s.getValue();
        }
        throw error(keyNode, path.isEmpty() ? null : path, "mapping keys must be strings, got " + describe(keyNode));
    }

    /** A scalar as text, or null for an explicit null (which Prometheus treats as unset). */
    String string(Node node, String path) throws ConfigException {
        if (isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode s) {
            return s.getValue();
        }
        throw error(node, path, "cannot unmarshal " + describe(node) + " into string");
    }

    /** A file path, resolved against the config file's directory when relative; null when unset. */
    String file(Node node, String path) throws ConfigException {
        String file = string(node, path);
        return file == null || file.isEmpty() || baseDir == null ? file : baseDir.resolve(file).toString();
    }

    /** A duration, or null when unset. */
    Duration duration(Node node, String path) throws ConfigException {
        String s = string(node, path);
        if (s == null) {
            return null;
        }
        try {
            return PromDurations.parse(s);
        } catch (IllegalArgumentException e) {
            throw error(node, path, e.getMessage());
        }
    }

    long size(Node node, String path) throws ConfigException {
        String s = string(node, path);
        if (s == null) {
            return 0;
        }
        try {
            return PromSizes.parse(s);
        } catch (IllegalArgumentException e) {
            throw error(node, path, e.getMessage());
        }
    }

    boolean bool(Node node, String path, boolean unset) throws ConfigException {
        String s = string(node, path);
        if (s == null) {
            return unset;
        }
        switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> {
                return true;
            }
            case "false", "no", "off" -> {
                return false;
            }
            default -> throw error(node, path, "cannot unmarshal !!str `" + s + "` into bool");
        }
    }

    /** A non-negative integer that fits in {@code max}; 0 when unset. */
    long unsigned(Node node, String path, long max) throws ConfigException {
        String s = string(node, path);
        if (s == null) {
            return 0;
        }
        try {
            long v = Long.parseLong(s);
            if (v >= 0 && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below with the offending text
        }
        throw error(node, path, "cannot unmarshal !!str `" + s + "` into a non-negative integer up to " + max);
    }

    /** The items of a sequence; an explicit null is an empty list. */
    List<Node> sequence(Node node, String path) throws ConfigException {
        if (isNull(node)) {
            return List.of();
        }
        if (node instanceof SequenceNode seq) {
            return seq.getValue();
        }
        throw error(node, path, "cannot unmarshal " + describe(node) + " into a list");
    }

    List<String> stringList(Node node, String path) throws ConfigException {
        List<Node> items = sequence(node, path);
        List<String> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String s = string(items.get(i), path + "[" + i + "]");
            out.add(s == null ? "" : s);
        }
        return out;
    }

    /** A string-to-string mapping in document order, each key checked by {@code keyCheck}. */
    Map<String, String> stringMap(Node node, String path, KeyCheck keyCheck) throws ConfigException {
        Map<String, String> out = new LinkedHashMap<>();
        fields(node, path, "map[string]string", (key, value, fieldPath) -> {
            keyCheck.check(key, value, fieldPath);
            String v = string(value, fieldPath);
            out.put(key, v == null ? "" : v);
            return true;
        });
        return out;
    }

    /** Validates one key of a string map. */
    interface KeyCheck {
        void check(String key, Node value, String path) throws ConfigException;
    }

    private static String describe(Node node) {
        if (node instanceof ScalarNode s) {
            return node.getTag().getValue().replace(Tag.PREFIX, "!!") + " `" + s.getValue() + "`";
        }
        return node instanceof SequenceNode ? "!!seq" : "!!map";
    }
}
