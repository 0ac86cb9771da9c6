package io.promlite.tsdb.model;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A label matcher ({@code =}, {@code !=}, {@code =~}, {@code !~}).
 *
 * <p>Regexes are fully anchored and {@code .} matches newlines, as in Prometheus 3.x
 * ({@code ^(?s:re)$}). An absent label matches as the empty string.
 */
public final class Matcher {
    public enum Type {
        EQUAL("="), NOT_EQUAL("!="), REGEX("=~"), NOT_REGEX("!~");

        private final String symbol;

        Type(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    private final Type type;
    private final String name;
    private final String value;
    private final Pattern pattern;

    private Matcher(Type type, String name, String value) {
        this.type = Objects.requireNonNull(type);
        this.name = Objects.requireNonNull(name);
        this.value = Objects.requireNonNull(value);
        this.pattern = type == Type.REGEX || type == Type.NOT_REGEX
                ? Pattern.compile("(?s:" + value + ")")
                : null;
    }

    /** @throws java.util.regex.PatternSyntaxException for a bad regex */
    public static Matcher of(Type type, String name, String value) {
        return new Matcher(type, name, value);
    }

    public static Matcher equal(String name, String value) {
        return new Matcher(Type.EQUAL, name, value);
    }

    public Type type() {
        return type;
    }

    public String name() {
        return name;
    }

    public String value() {
        return value;
    }

    /** Whether a label value (the empty string for an absent label) satisfies this matcher. */
    public boolean matches(String labelValue) {
        return switch (type) {
            case EQUAL -> value.equals(labelValue);
            case NOT_EQUAL -> !value.equals(labelValue);
            case REGEX -> pattern.matcher(labelValue).matches();
            case NOT_REGEX -> !pattern.matcher(labelValue).matches();
        };
    }

    /** Whether this matcher accepts a series that lacks the label altogether. */
    public boolean matchesEmpty() {
        return matches("");
    }

    public boolean matches(Labels labels) {
        return matches(labels.getOrEmpty(name));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Matcher m && m.type == type && m.name.equals(name) && m.value.equals(value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, name, value);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(type.symbol).append('"');
        Labels.appendEscaped(sb, value);
        return sb.append('"').toString();
    }
}
