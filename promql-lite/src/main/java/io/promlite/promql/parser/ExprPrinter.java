package io.promlite.promql.parser;

import io.promlite.promql.functions.MathFunctions;
import io.promlite.promql.parser.Expr.Aggregate;
import io.promlite.promql.parser.Expr.At;
import io.promlite.promql.parser.Expr.Binary;
import io.promlite.promql.parser.Expr.Call;
import io.promlite.promql.parser.Expr.MatrixSelector;
import io.promlite.promql.parser.Expr.Negation;
import io.promlite.promql.parser.Expr.NumberLiteral;
import io.promlite.promql.parser.Expr.Paren;
import io.promlite.promql.parser.Expr.SelectorMode;
import io.promlite.promql.parser.Expr.StringLiteral;
import io.promlite.promql.parser.Expr.Subquery;
import io.promlite.promql.parser.Expr.VectorMatching;
import io.promlite.promql.parser.Expr.VectorSelector;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Prints expressions back as PromQL: {@link #print} in Prometheus's canonical one-line form (its
 * {@code String()} of a node) and {@link #pretty} as its {@code Prettify} lays a query out: a node
 * longer than 100 characters is split, its children indented two spaces per level.
 */
public final class ExprPrinter {
    /** Prometheus's prettier splits nodes whose one-line form is longer than this (in bytes). */
    private static final int MAX_LINE = 100;
    private static final String INDENT = "  ";

    private ExprPrinter() {
    }

    /** Parses {@code query} and lays it out as Prometheus's {@code /api/v1/format_query} does. */
    public static String format(String query) {
        return pretty(Parser.parse(query));
    }

    public static String pretty(Expr e) {
        return pretty(e, MAX_LINE);
    }

    /** {@link #pretty} with another line limit (Prometheus's own tests lay out with 10). */
    static String pretty(Expr e, int maxLine) {
        return new Layout(maxLine).pretty(e, 0);
    }

    private record Layout(int maxLine) {
        private String pretty(Expr e, int level) {
            String indent = INDENT.repeat(level);
            if (e instanceof Subquery sq) {
                // Unlike the other nodes, Prometheus prints an unsplit subquery without its indent.
                return needsSplit(e) ? pretty(sq.expr(), level) + subquerySuffix(sq) : print(e);
            }
            if (e instanceof Negation n) {
                return indent + "-" + pretty(n.expr(), level).strip();
            }
            if (!needsSplit(e)) {
                return indent + print(e);
            }
            if (e instanceof Aggregate a) {
                StringBuilder sb = new StringBuilder(indent).append(aggregateHead(a)).append("(\n");
                if (a.param() != null) {
                    sb.append(pretty(a.param(), level + 1)).append(",\n");
                }
                return sb.append(pretty(a.expr(), level + 1)).append('\n').append(indent).append(')').toString();
            }
            if (e instanceof Binary b) {
                return pretty(b.lhs(), level + 1) + "\n" + indent + operator(b) + "\n" + pretty(b.rhs(), level + 1);
            }
            if (e instanceof Call c) {
                List<String> args = new ArrayList<>();
                for (Expr arg : c.args()) {
                    args.add(pretty(arg, level + 1));
                }
                return indent + c.function().name() + "(\n" + String.join(",\n", args) + "\n" + indent + ")";
            }
            if (e instanceof Paren p) {
                return indent + "(\n" + pretty(p.expr(), level + 1) + "\n" + indent + ")";
            }
            return indent + print(e);
        }

        private boolean needsSplit(Expr e) {
            return print(e).getBytes(StandardCharsets.UTF_8).length > maxLine;
        }
    }

    /** The canonical one-line form of {@code e}. */
    public static String print(Expr e) {
        if (e instanceof NumberLiteral n) {
            return MathFunctions.formatValue(n.value());
        }
        if (e instanceof StringLiteral s) {
            return quote(s.value());
        }
        if (e instanceof VectorSelector vs) {
            return selector(vs, true);
        }
        if (e instanceof MatrixSelector ms) {
            VectorSelector vs = ms.selector();
            StringBuilder sb = new StringBuilder(selector(vs, false));
            sb.append('[').append(duration(ms.rangeMs())).append(']');
            sb.append(mode(vs.mode()));
            return sb.append(at(vs.at())).append(offset(vs.offsetMs())).toString();
        }
        if (e instanceof Subquery sq) {
            return print(sq.expr()) + subquerySuffix(sq);
        }
        if (e instanceof Paren p) {
            return "(" + print(p.expr()) + ")";
        }
        if (e instanceof Negation n) {
            return "-" + print(n.expr());
        }
        if (e instanceof Binary b) {
            return print(b.lhs()) + " " + operator(b) + " " + print(b.rhs());
        }
        if (e instanceof Aggregate a) {
            return aggregateHead(a) + "(" + (a.param() == null ? "" : print(a.param()) + ", ") + print(a.expr()) + ")";
        }
        Call c = (Call) e;
        List<String> args = new ArrayList<>();
        for (Expr arg : c.args()) {
            args.add(print(arg));
        }
        return c.function().name() + "(" + String.join(", ", args) + ")";
    }

    private static String selector(VectorSelector vs, boolean withModifiers) {
        List<String> matchers = new ArrayList<>();
        String name = vs.name() == null ? "" : vs.name();
        for (Matcher m : vs.matchers()) {
            if (m.name().equals(Labels.METRIC_NAME) && m.type() == Matcher.Type.EQUAL && m.value().equals(name)
                    && !name.isEmpty()) {
                continue;
            }
            matchers.add(labelName(m.name()) + m.type().symbol() + quote(m.value()));
        }
        matchers.sort(null);
        StringBuilder sb = new StringBuilder();
        if (!name.isEmpty() && !isLegacyMetricName(name)) {
            // A name that is not a plain identifier is only parseable as the first, quoted item in braces.
            matchers.add(0, quote(name));
        } else {
            sb.append(name);
        }
        if (!matchers.isEmpty()) {
            sb.append('{').append(String.join(",", matchers)).append('}');
        }
        if (withModifiers) {
            sb.append(at(vs.at())).append(mode(vs.mode())).append(offset(vs.offsetMs()));
        }
        return sb.toString();
    }

    private static String mode(SelectorMode mode) {
        return switch (mode) {
            case PLAIN -> "";
            case ANCHORED -> " anchored";
            case SMOOTHED -> " smoothed";
        };
    }

    private static String at(At at) {
        if (at == null) {
            return "";
        }
        return switch (at.kind()) {
            case START -> " @ start()";
            case END -> " @ end()";
            case TIMESTAMP -> " @ " + String.format(Locale.ROOT, "%.3f", at.timestampMs() / 1000.0);
        };
    }

    private static String offset(long offsetMs) {
        if (offsetMs > 0) {
            return " offset " + duration(offsetMs);
        }
        return offsetMs < 0 ? " offset -" + duration(-offsetMs) : "";
    }

    private static String subquerySuffix(Subquery sq) {
        return "[" + duration(sq.rangeMs()) + ":" + (sq.stepMs() == 0 ? "" : duration(sq.stepMs())) + "]"
                + at(sq.at()) + offset(sq.offsetMs());
    }

    private static String aggregateHead(Aggregate a) {
        String op = a.op().symbol();
        if (a.without()) {
            return op + " without (" + labelList(a.grouping()) + ") ";
        }
        return a.grouping().isEmpty() ? op : op + " by (" + labelList(a.grouping()) + ") ";
    }

    private static String operator(Binary b) {
        StringBuilder sb = new StringBuilder(b.op().symbol());
        if (b.returnBool()) {
            sb.append(" bool");
        }
        VectorMatching vm = b.matching();
        if (vm == null) {
            return sb.toString();
        }
        boolean grouped = vm.card() == VectorMatching.Cardinality.MANY_TO_ONE
                || vm.card() == VectorMatching.Cardinality.ONE_TO_MANY;
        if (!vm.labels().isEmpty() || vm.on() || grouped) {
            sb.append(vm.on() ? " on (" : " ignoring (").append(labelList(vm.labels())).append(')');
        }
        if (grouped) {
            sb.append(vm.card() == VectorMatching.Cardinality.MANY_TO_ONE ? " group_left (" : " group_right (")
                    .append(labelList(vm.include())).append(')');
        }
        if (vm.fillLeft() != null && Objects.equals(vm.fillLeft(), vm.fillRight())) {
            sb.append(" fill (").append(MathFunctions.formatValue(vm.fillLeft())).append(')');
        } else {
            if (vm.fillLeft() != null) {
                sb.append(" fill_left (").append(MathFunctions.formatValue(vm.fillLeft())).append(')');
            }
            if (vm.fillRight() != null) {
                sb.append(" fill_right (").append(MathFunctions.formatValue(vm.fillRight())).append(')');
            }
        }
        return sb.toString();
    }

    private static String labelList(List<String> labels) {
        List<String> out = new ArrayList<>(labels.size());
        for (String l : labels) {
            out.add(labelName(l));
        }
        return String.join(", ", out);
    }

    private static String labelName(String name) {
        return isLegacyLabelName(name) ? name : quote(name);
    }

    private static boolean isLegacyLabelName(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLegacyMetricName(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    /**
     * A duration as Prometheus's {@code model.Duration} prints it: years and weeks only when exact,
     * then days, hours, minutes, seconds and milliseconds ({@code 90d}, {@code 1h30m}, {@code 1s500ms}).
     */
    static String duration(long ms) {
        if (ms == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        long rest = ms;
        long[] mult = {365L * 24 * 3_600_000, 7L * 24 * 3_600_000, 24L * 3_600_000, 3_600_000, 60_000, 1000, 1};
        String[] unit = {"y", "w", "d", "h", "m", "s", "ms"};
        for (int i = 0; i < mult.length; i++) {
            if (i < 2 && rest % mult[i] != 0) {
                continue;
            }
            long v = rest / mult[i];
            if (v > 0) {
                sb.append(v).append(unit[i]);
                rest -= v * mult[i];
            }
        }
        return sb.toString();
    }

    /** Go's {@code strconv.Quote}: double quotes, C-style escapes, invalid bytes as {@code \xNN}. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case 0x07 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case 0x0B -> sb.append("\\v");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (c >= 0xDC80 && c <= 0xDCFF) {
                        // promlite's lexer keeps an invalid UTF-8 byte as a lone low surrogate.
                        sb.append(String.format("\\x%02x", c & 0xFF));
                    } else if (c < 0x20 || c == 0x7F) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
