package io.promlite.scraper.relabel;

import java.util.regex.Matcher;

/**
 * Go's regexp.Expand template syntax used by relabel replacements: {@code $1}, {@code ${1}},
 * {@code $name}, {@code ${name}}, {@code $$}. As in Go, {@code $name} takes the longest run of
 * letters, digits and underscores, and a reference to a missing group expands to nothing.
 */
final class GoTemplate {
    private GoTemplate() {
    }

    static String expand(String template, Matcher m) {
        if (template.indexOf('$') < 0) {
            return template;
        }
        StringBuilder out = new StringBuilder(template.length() + 16);
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '$' || i + 1 == template.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = template.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            String name;
            int end;
            if (next == '{') {
                int close = template.indexOf('}', i + 2);
                name = close < 0 ? null : template.substring(i + 2, close);
                if (name == null || name.isEmpty() || !isWord(name)) {
                    // Go leaves a malformed reference as written.
                    out.append(c);
                    i++;
                    continue;
                }
                end = close + 1;
            } else {
                end = i + 1;
                while (end < template.length() && isWordChar(template.charAt(end))) {
                    end++;
                }
                if (end == i + 1) {
                    out.append(c);
                    i++;
                    continue;
                }
                name = template.substring(i + 1, end);
            }
            out.append(group(m, name));
            i = end;
        }
        return out.toString();
    }

    private static String group(Matcher m, String name) {
        String value = null;
        if (name.chars().allMatch(Character::isDigit)) {
            try {
                int index = Integer.parseInt(name);
                if (index <= m.groupCount()) {
                    value = m.group(index);
                }
            } catch (NumberFormatException e) {
                // An absurdly large index names no group.
            }
        } else {
            try {
                value = m.group(name);
            } catch (IllegalArgumentException e) {
                // No group of that name.
            }
        }
        return value == null ? "" : value;
    }

    private static boolean isWord(String s) {
        return s.chars().allMatch(ch -> isWordChar((char) ch));
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
}
