package io.promlite.logging;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * Writes one logfmt line per event to standard error, as Prometheus does:
 * {@code time=2026-01-02T03:04:05.678Z level=INFO source=ScrapeManager msg="…" key=value}.
 * Key/value pairs given through SLF4J's fluent API become logfmt fields.
 */
public final class LogfmtLogger extends LegacyAbstractLogger implements LoggingEventAware {
    private static volatile Level threshold = Level.INFO;
    private static volatile PrintStream out = System.err;

    private final String source;

    LogfmtLogger(String name) {
        this.name = name;
        int dot = name.lastIndexOf('.');
        this.source = dot < 0 ? name : name.substring(dot + 1);
    }

    /** Sets the least severe level written, by Prometheus's {@code --log.level} names. */
    public static void setLevel(String level) {
        threshold = parseLevel(level);
    }

    /** @throws IllegalArgumentException for a name other than debug, info, warn or error */
    public static Level parseLevel(String level) {
        return switch (level.toLowerCase(Locale.ROOT)) {
            case "debug" -> Level.DEBUG;
            case "info" -> Level.INFO;
            case "warn" -> Level.WARN;
            case "error" -> Level.ERROR;
            default -> throw new IllegalArgumentException(
                    "unrecognized log level \"" + level + "\" (one of debug, info, warn, error)");
        };
    }

    static void setOutput(PrintStream stream) {
        out = stream;
    }

    private static boolean enabled(Level level) {
        return level.toInt() >= threshold.toInt();
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                                               Throwable error) {
        write(level, pattern, args, List.of(), error);
    }

    @Override
    public void log(LoggingEvent event) {
        if (enabled(event.getLevel())) {
            List<KeyValuePair> kvs = event.getKeyValuePairs() == null ? List.of() : event.getKeyValuePairs();
            write(event.getLevel(), event.getMessage(), event.getArgumentArray(), kvs, event.getThrowable());
        }
    }

    private void write(Level level, String pattern, Object[] args, List<KeyValuePair> kvs, Throwable error) {
        StringBuilder sb = new StringBuilder(160);
        sb.append("time=").append(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .append(" level=").append(level)
                .append(" source=").append(source)
                .append(" msg=");
        appendValue(sb, MessageFormatter.basicArrayFormat(pattern, args));
        for (KeyValuePair kv : kvs) {
            sb.append(' ').append(kv.key).append('=');
            appendValue(sb, String.valueOf(kv.value));
        }
        if (error != null) {
            sb.append(" err=");
            appendValue(sb, String.valueOf(error.getMessage() == null ? error : error.getMessage()));
        }
        PrintStream stream = out;
        synchronized (stream) {
            stream.println(sb);
            if (error != null && enabled(Level.DEBUG)) {
                error.printStackTrace(stream);
            }
        }
    }

    /** Quotes a value when logfmt requires it (spaces, quotes, '=' or emptiness). */
    static void appendValue(StringBuilder sb, String v) {
        boolean quote = v.isEmpty();
        for (int i = 0; i < v.length() && !quote; i++) {
            char c = v.charAt(i);
            quote = c <= ' ' || c == '"' || c == '=' || c == '\\';
        }
        if (!quote) {
            sb.append(v);
            return;
        }
        sb.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        sb.append('"');
    }
}
