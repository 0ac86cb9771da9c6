package io.promlite.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus's duration syntax ({@code 1m30s}, {@code 2d}, {@code 100ms}, {@code 0}). */
public final class PromDurations {
    // Prometheus's model.ParseDuration regex: units in decreasing order, each at most once.
    private static final Pattern SYNTAX = Pattern.compile(
            "^((\\d+)y)?((\\d+)w)?((\\d+)d)?((\\d+)h)?((\\d+)m)?((\\d+)s)?((\\d+)ms)?$");
    private static final long SECOND = 1000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long WEEK = 7 * DAY;
    private static final long YEAR = 365 * DAY;
    private static final long[] GROUP_UNITS = {YEAR, WEEK, DAY, HOUR, MINUTE, SECOND, 1};

    private PromDurations() {
    }

    /**
     * Parses a Prometheus duration.
     *
     * @throws IllegalArgumentException with Prometheus's wording for an empty, malformed or
     *                                  overflowing duration
     */
    public static Duration parse(String s) {
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration string");
        }
        Matcher m = SYNTAX.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a valid duration string: \"" + s + "\"");
        }
        long totalMs = 0;
        for (int i = 0; i < GROUP_UNITS.length; i++) {
            String digits = m.group(2 * i + 2);
            if (digits == null) {
                continue;
            }
            try {
                totalMs = Math.addExact(totalMs, Math.multiplyExact(Long.parseLong(digits), GROUP_UNITS[i]));
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException("duration out of range: \"" + s + "\"");
            }
        }
        // Prometheus keeps durations as Go nanosecond counts, so anything beyond ~292 years overflows.
        if (totalMs > Long.MAX_VALUE / 1_000_000L) {
            throw new IllegalArgumentException("duration out of range: \"" + s + "\"");
        }
        return Duration.ofMillis(totalMs);
    }

    /**
     * Formats as Prometheus does: the largest units first, years and weeks only when they divide
     * the duration exactly ({@code 90d} rather than {@code 12w6d}), {@code 0s} for zero.
     */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        if (ms < 0) {
            sb.append('-');
            ms = -ms;
        }
        if (ms % YEAR == 0) {
            return sb.append(ms / YEAR).append('y').toString();
        }
        if (ms % WEEK == 0) {
            return sb.append(ms / WEEK).append('w').toString();
        }
        ms = appendUnit(sb, ms, DAY, "d");
        ms = appendUnit(sb, ms, HOUR, "h");
        ms = appendUnit(sb, ms, MINUTE, "m");
        ms = appendUnit(sb, ms, SECOND, "s");
        appendUnit(sb, ms, 1, "ms");
        return sb.toString();
    }

    private static long appendUnit(StringBuilder sb, long ms, long unit, String suffix) {
        long v = ms / unit;
        if (v > 0) {
            sb.append(v).append(suffix);
        }
        return ms - v * unit;
    }
}
