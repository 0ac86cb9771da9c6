package io.promlite.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus's byte-size syntax for {@code body_size_limit}: an amount with a unit, where the
 * units are powers of 1024 whether spelled {@code KB} or {@code KiB} (Prometheus's Base2Bytes).
 */
public final class PromSizes {
    private static final Pattern SYNTAX = Pattern.compile("^(\\d+(?:\\.\\d+)?)([KMGTPE]i?)?B$");
    private static final Map<Character, Integer> SHIFTS =
            Map.of('K', 10, 'M', 20, 'G', 30, 'T', 40, 'P', 50, 'E', 60);

    private PromSizes() {
    }

    /** Parses a size in bytes; {@code 0} means "no limit" where Prometheus uses it. */
    public static long parse(String s) {
        if (s.equals("0")) {
            return 0;
        }
        Matcher m = SYNTAX.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a valid size: \"" + s + "\"");
        }
        double amount = Double.parseDouble(m.group(1));
        int shift = m.group(2) == null ? 0 : SHIFTS.get(m.group(2).charAt(0));
        double bytes = amount * Math.pow(2, shift);
        if (bytes >= 0x1p63) {
            throw new IllegalArgumentException("size out of range: \"" + s + "\"");
        }
        return (long) bytes;
    }
}
