package io.promlite.promql.script;

import io.promlite.promql.parser.Durations;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.StaleNaN;
import java.util.ArrayList;
import java.util.List;

/**
 * The test-script notation for series and values: {@code metric{a="b"} 0+10x3 _ stale _x2 Inf}.
 * A missing value ({@code _}) is null in the returned list.
 */
final class SeriesNotation {
    private SeriesNotation() {
    }

    /** A series line split into its labels and the text of its values. */
    record Line(Labels labels, String values) {
    }

    static Line parseLine(String line) {
        String s = line.strip();
        int end;
        int brace = s.indexOf('{');
        int space = indexOfWhitespace(s);
        if (brace >= 0 && (space < 0 || brace < space)) {
            end = closingBrace(s, brace) + 1;
        } else {
            end = space < 0 ? s.length() : space;
        }
        return new Line(parseLabels(s.substring(0, end)), s.substring(end).strip());
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static int closingBrace(String s, int open) {
        boolean inQuote = false;
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inQuote) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inQuote = false;
                }
            } else if (c == '"') {
                inQuote = true;
            } else if (c == '}') {
                return i;
            }
        }
        throw new IllegalArgumentException("unclosed '{' in " + s);
    }

    /** Parses {@code name{k="v", …}}, {@code {k="v"}}, {@code {"quoted.name", k="v"}} or a bare name. */
    static Labels parseLabels(String s) {
        Labels.Builder b = Labels.builder();
        int brace = s.indexOf('{');
        String name = brace < 0 ? s : s.substring(0, brace);
        if (!name.isBlank()) {
            b.set(Labels.METRIC_NAME, name.strip());
        }
        if (brace < 0) {
            return b.build();
        }
        int i = brace + 1;
        int end = s.lastIndexOf('}');
        while (i < end) {
            while (i < end && (Character.isWhitespace(s.charAt(i)) || s.charAt(i) == ',')) {
                i++;
            }
            if (i >= end) {
                break;
            }
            String label;
            if (s.charAt(i) == '"') {
                int[] pos = {i};
                label = readQuoted(s, pos);
                i = pos[0];
            } else {
                int st = i;
                while (i < end && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                label = s.substring(st, i);
            }
            while (i < end && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= end || s.charAt(i) != '=') {
                b.set(Labels.METRIC_NAME, label);
                continue;
            }
            i++;
            while (i < end && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            int[] pos = {i};
            String value = readQuoted(s, pos);
            i = pos[0];
            b.set(label, value);
        }
        return b.build();
    }

    private static String readQuoted(String s, int[] pos) {
        int i = pos[0];
        if (s.charAt(i) != '"') {
            throw new IllegalArgumentException("expected '\"' at " + i + " in " + s);
        }
        StringBuilder sb = new StringBuilder();
        i++;
        while (s.charAt(i) != '"') {
            char c = s.charAt(i);
            if (c == '\\') {
                char n = s.charAt(++i);
                switch (n) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case '\\' -> sb.append('\\');
                    case '"' -> sb.append('"');
                    default -> sb.append('\\').append(n);
                }
            } else {
                sb.append(c);
            }
            i++;
        }
        pos[0] = i + 1;
        return sb.toString();
    }

    /** Expands the value notation into one entry per step; null marks a missing sample. */
    static List<Double> parseValues(String text) {
        List<Double> out = new ArrayList<>();
        if (text.isBlank()) {
            return out;
        }
        for (String tok : text.strip().split("\\s+")) {
            expand(tok, out);
        }
        return out;
    }

    private static void expand(String tok, List<Double> out) {
        if (tok.equals("_")) {
            out.add(null);
            return;
        }
        if (tok.equals("stale")) {
            out.add(StaleNaN.VALUE);
            return;
        }
        int x = tok.lastIndexOf('x');
        if (x > 0 && x < tok.length() - 1 && tok.substring(x + 1).chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(tok.substring(x + 1));
            String base = tok.substring(0, x);
            if (base.equals("_")) {
                for (int i = 0; i < n; i++) {
                    out.add(null);
                }
                return;
            }
            if (base.equals("stale")) {
                for (int i = 0; i <= n; i++) {
                    out.add(StaleNaN.VALUE);
                }
                return;
            }
            int op = operatorIndex(base);
            double start = number(op < 0 ? base : base.substring(0, op));
            double step = op < 0 ? 0 : number(base.substring(op + 1)) * (base.charAt(op) == '-' ? -1 : 1);
            double v = start;
            for (int i = 0; i <= n; i++) {
                out.add(v);
                v += step;
            }
            return;
        }
        out.add(number(tok));
    }

    /**
     * Expands the start-timestamp notation of a {@code metric@st} line: one signed duration per
     * step ({@code -30s}, {@code 1ms}, {@code 0}), the offset of the sample's start timestamp from
     * its timestamp, with the {@code a+bxN} expansion; null ({@code _}) for no start timestamp.
     */
    static List<Long> parseStartOffsets(String text) {
        List<Long> out = new ArrayList<>();
        for (String tok : text.strip().split("\\s+")) {
            int x = tok.lastIndexOf('x');
            boolean repeated = x > 0 && x < tok.length() - 1 && tok.substring(x + 1).chars().allMatch(Character::isDigit);
            String base = repeated ? tok.substring(0, x) : tok;
            int n = repeated ? Integer.parseInt(tok.substring(x + 1)) : 0;
            if (base.equals("_")) {
                for (int i = 0; i < Math.max(n, 1); i++) {
                    out.add(null);
                }
                continue;
            }
            int op = operatorIndex(base);
            long v = signedDuration(op < 0 ? base : base.substring(0, op));
            long step = op < 0 ? 0 : signedDuration(base.substring(op));
            for (int i = 0; i <= n; i++) {
                out.add(v);
                v += step;
            }
        }
        return out;
    }

    private static long signedDuration(String s) {
        if (s.startsWith("-")) {
            return -Durations.parse(s.substring(1));
        }
        return Durations.parse(s.startsWith("+") ? s.substring(1) : s);
    }

    /** The '+' or '-' between start and step, skipping a leading sign and exponent signs. */
    private static int operatorIndex(String s) {
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            char p = s.charAt(i - 1);
            if ((c == '+' || c == '-') && p != 'e' && p != 'E') {
                return i;
            }
        }
        return -1;
    }

    static double number(String s) {
        return switch (s.toLowerCase()) {
            case "inf", "+inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan", "+nan", "-nan" -> Double.NaN;
            default -> {
                if (s.startsWith("0x") || s.startsWith("0X")) {
                    yield Long.parseLong(s.substring(2), 16);
                }
                yield Double.parseDouble(s);
            }
        };
    }
}
