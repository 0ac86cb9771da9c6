package io.promlite.config;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A relabel regex, fully anchored and with {@code .} matching newlines as in Prometheus
 * ({@code ^(?s:re)$}). Equal when the source text is equal, so unchanged configs compare equal.
 */
public final class RelabelRegex {
    public static final RelabelRegex DEFAULT = new RelabelRegex("(.*)");

    private final String source;
    private final Pattern pattern;

    private RelabelRegex(String source) {
        this.source = source;
        // Go's RE2 spells named groups (?P<name>…); Java only knows (?<name>…).
        this.pattern = Pattern.compile("^(?s:" + source.replace("(?P<", "(?<") + ")$");
    }

    /** @throws PatternSyntaxException for a regex Java cannot compile */
    public static RelabelRegex compile(String source) {
        return source.equals(DEFAULT.source) ? DEFAULT : new RelabelRegex(source);
    }

    public String source() {
        return source;
    }

    public Pattern pattern() {
        return pattern;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelabelRegex r && r.source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }
}
