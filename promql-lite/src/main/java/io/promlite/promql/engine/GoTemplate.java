package io.promlite.promql.engine;

/** Expands {@code $1}, {@code ${1}}, {@code $name} and {@code $$} in a replacement, as Go's Regexp.Expand does. */
final class GoTemplate {
    private GoTemplate() {
    }

    static String expand(String template, java.util.regex.Matcher m) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '$' || i + 1 >= template.length()) {
                sb.append(c);
                i++;
                continue;
            }
            char n = template.charAt(i + 1);
            if (n == '$') {
                sb.append('$');
                i += 2;
                continue;
            }
            String name;
            int next;
            if (n == '{') {
                int close = template.indexOf('}', i + 2);
                if (close < 0) {
                    sb.append(c);
                    i++;
                    continue;
                }
                name = template.substring(i + 2, close);
                next = close + 1;
            } else {
                int j = i + 1;
                while (j < template.length() && (Character.isLetterOrDigit(template.charAt(j)) || template.charAt(j) == '_')) {
                    j++;
                }
                name = template.substring(i + 1, j);
                next = j;
            }
            if (name.isEmpty()) {
                sb.append(c);
                i++;
                continue;
            }
            sb.append(group(m, name));
            i = next;
        }
        return sb.toString();
    }

    private static String group(java.util.regex.Matcher m, String name) {
        String v;
        if (name.chars().allMatch(Character::isDigit)) {
            int idx;
            try {
                idx = Integer.parseInt(name);
            } catch (NumberFormatException e) {
                return "";
            }
            v = idx <= m.groupCount() ? m.group(idx) : null;
        } else {
            try {
                v = m.group(name);
            } catch (IllegalArgumentException e) {
                v = null;
            }
        }
        return v == null ? "" : v;
    }
}
