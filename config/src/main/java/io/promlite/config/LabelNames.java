package io.promlite.config;

/** Prometheus's classic label-name rule: {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
public final class LabelNames {
    private LabelNames() {
    }

    public static boolean isValid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
