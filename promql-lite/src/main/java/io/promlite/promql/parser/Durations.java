package io.promlite.promql.parser;

/**
 * Prometheus's duration syntax ({@code 1h30m}, units y w d h m s ms, largest first) as PromQL
 * literals use it. (The config module parses the same syntax for prometheus.yml, but
 * promql-lite must not depend on config.)
 */
public final class Durations {
    private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};
    private static final long[] UNIT_MS = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1};

    private Durations() {
    }

    /** Milliseconds of a duration such as {@code 5m} or {@code 1h30m}. */
    public static long parse(String s) {
        if (s.equals("0")) {
            return 0;
        }
        int pos = 0;
        int lastUnit = -1;
        long total = 0;
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration string");
        }
        while (pos < s.length()) {
            int numStart = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            if (pos == numStart) {
                throw new IllegalArgumentException("not a valid duration string: " + s);
            }
            long n = Long.parseLong(s.substring(numStart, pos));
            int unit = -1;
            for (int u = 0; u < UNITS.length; u++) {
                String name = UNITS[u];
                if (s.startsWith(name, pos) && !(name.equals("m") && s.startsWith("ms", pos))) {
                    unit = u;
                    break;
                }
            }
            if (unit < 0 || unit <= lastUnit) {
                throw new IllegalArgumentException("not a valid duration string: " + s);
            }
            pos += UNITS[unit].length();
            lastUnit = unit;
            try {
                total = Math.addExact(total, Math.multiplyExact(n, UNIT_MS[unit]));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("duration out of range: " + s, e);
            }
        }
        return total;
    }
}
