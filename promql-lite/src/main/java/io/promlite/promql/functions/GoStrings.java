package io.promlite.promql.functions;

/** Label-name validity and Go-style quoting for error messages. */
public final class GoStrings {
    private GoStrings() {
    }

    /**
     * Whether {@code name} is a valid label name: non-empty valid UTF-8 (Prometheus 3 accepts any
     * UTF-8). Invalid bytes from query escapes arrive as lone surrogates and make it invalid.
     */
    public static boolean isValidLabelName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** The body of Go's {@code %q} for {@code s}: invalid bytes print as {@code \xNN}. */
    public static String quoteBody(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0xDC80 && c <= 0xDCFF && !(i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
                sb.append(String.format("\\x%02x", c & 0xFF));
            } else if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
