package io.promlite.web.api;

/**
 * Prometheus 3.x's {@code U__} escaping of label names in URL paths (model.UnescapeName with
 * value-encoding escaping): after the {@code U__} prefix, {@code __} stands for {@code _} and
 * {@code _<hex>_} for the code point {@code <hex>}, e.g. {@code U__my_2e_label} is {@code my.label}.
 */
final class LabelNameEscaping {
    private LabelNameEscaping() {
    }

    /** The unescaped name, or {@code escaped} itself when it is not a valid escaping. */
    static String unescape(String escaped) {
        if (!escaped.startsWith("U__")) {
            return escaped;
        }
        String s = escaped.substring(3);
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '_') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 < s.length() && s.charAt(i + 1) == '_') {
                out.append('_');
                i += 2;
                continue;
            }
            int close = s.indexOf('_', i + 1);
            if (close < 0 || close == i + 1) {
                return escaped;
            }
            int codePoint;
            try {
                codePoint = Integer.parseInt(s.substring(i + 1, close), 16);
            } catch (NumberFormatException e) {
                return escaped;
            }
            if (!Character.isValidCodePoint(codePoint) || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
                return escaped;
            }
            out.appendCodePoint(codePoint);
            i = close + 1;
        }
        return out.toString();
    }
}
