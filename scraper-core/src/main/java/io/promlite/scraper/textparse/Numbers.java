package io.promlite.scraper.textparse;

import java.nio.charset.StandardCharsets;

/** Allocation-free parsing of sample values and timestamps from ASCII bytes. */
final class Numbers {
    private static final double[] EXACT_POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };
    /** Decimal digits that always fit a double's 53-bit mantissa exactly. */
    private static final int EXACT_DIGITS = 15;
    private static final int MAX_TRACKED_DIGITS = 18;

    private Numbers() {
    }

    /**
     * Parses a float as Go's {@code strconv.ParseFloat} accepts it in decimal (optional sign,
     * digits with an optional fraction and exponent) plus {@code Inf}/{@code Infinity}/{@code NaN}
     * in any case.
     *
     * @throws NumberFormatException without a message when the text is not a float (callers
     *                               report it with the line)
     */
    static double parseDouble(byte[] b, int start, int end) {
        int i = start;
        boolean negative = false;
        boolean signed = false;
        if (i < end && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            signed = true;
            i++;
        }
        if (i == end) {
            throw new NumberFormatException();
        }
        byte c = b[i];
        if ((c | 0x20) == 'i') {
            if (equalsIgnoreCase(b, i, end, "inf") || equalsIgnoreCase(b, i, end, "infinity")) {
                return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            throw new NumberFormatException();
        }
        if ((c | 0x20) == 'n') {
            if (!signed && equalsIgnoreCase(b, i, end, "nan")) {
                return Double.NaN;
            }
            throw new NumberFormatException();
        }
        long mantissa = 0;
        int significantDigits = 0;
        int exponent = 0;
        boolean anyDigit = false;
        while (i < end && isDigit(b[i])) {
            anyDigit = true;
            int d = b[i++] - '0';
            if (mantissa == 0 && d == 0) {
                continue;
            }
            if (significantDigits < MAX_TRACKED_DIGITS) {
                mantissa = mantissa * 10 + d;
            } else {
                exponent++;
            }
            significantDigits++;
        }
        if (i < end && b[i] == '.') {
            i++;
            while (i < end && isDigit(b[i])) {
                anyDigit = true;
                int d = b[i++] - '0';
                if (mantissa == 0 && d == 0) {
                    exponent--;
                    continue;
                }
                if (significantDigits < MAX_TRACKED_DIGITS) {
                    mantissa = mantissa * 10 + d;
                    exponent--;
                }
                significantDigits++;
            }
        }
        if (!anyDigit) {
            throw new NumberFormatException();
        }
        if (i < end && (b[i] | 0x20) == 'e') {
            i++;
            boolean negativeExponent = false;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                negativeExponent = b[i] == '-';
                i++;
            }
            if (i == end) {
                throw new NumberFormatException();
            }
            int e = 0;
            while (i < end && isDigit(b[i])) {
                // Beyond this every double has over- or underflowed; keep counting digits only.
                e = Math.min(e * 10 + (b[i++] - '0'), 100_000);
            }
            exponent += negativeExponent ? -e : e;
        }
        if (i != end) {
            throw new NumberFormatException();
        }
        if (mantissa == 0) {
            return negative ? -0.0 : 0.0;
        }
        if (significantDigits <= EXACT_DIGITS && exponent >= -22 && exponent <= 22) {
            // Both operands are exact doubles, so one IEEE operation rounds correctly (Clinger's fast path).
            double v = exponent >= 0 ? mantissa * EXACT_POWERS_OF_TEN[exponent] : mantissa / EXACT_POWERS_OF_TEN[-exponent];
            return negative ? -v : v;
        }
        // Rare long or extreme numbers: the syntax is already checked, let the JDK round them.
        return Double.parseDouble(new String(b, start, end - start, StandardCharsets.ISO_8859_1));
    }

    /** Parses an optionally signed decimal integer; throws NumberFormatException on overflow. */
    static long parseLong(byte[] b, int start, int end) {
        int i = start;
        boolean negative = false;
        if (i < end && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            i++;
        }
        if (i == end) {
            throw new NumberFormatException();
        }
        long v = 0;
        try {
            for (; i < end; i++) {
                if (!isDigit(b[i])) {
                    throw new NumberFormatException();
                }
                // Accumulate negatively so Long.MIN_VALUE fits.
                v = Math.subtractExact(Math.multiplyExact(v, 10), b[i] - '0');
            }
            return negative ? v : Math.negateExact(v);
        } catch (ArithmeticException overflow) {
            throw new NumberFormatException();
        }
    }

    static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean equalsIgnoreCase(byte[] b, int start, int end, String word) {
        if (end - start != word.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if ((b[start + i] | 0x20) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
