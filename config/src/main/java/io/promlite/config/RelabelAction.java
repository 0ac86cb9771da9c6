package io.promlite.config;

import java.util.Locale;

/** Prometheus's relabel actions, spelled in configs in lower case. */
public enum RelabelAction {
    REPLACE, KEEP, DROP, KEEPEQUAL, DROPEQUAL, HASHMOD, LABELMAP, LABELDROP, LABELKEEP, LOWERCASE, UPPERCASE;

    /** The YAML spelling. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses case-insensitively as Prometheus does, or returns null for an unknown action. */
    static RelabelAction fromYaml(String s) {
        for (RelabelAction a : values()) {
            if (a.yamlName().equals(s.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        return null;
    }
}
