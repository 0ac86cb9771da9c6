package io.promlite.scraper.textparse;

import java.math.BigInteger;
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
    /** The powers of ten {@link #POWERS_OF_TEN} covers, as in Go's strconv. */
    private static final int MIN_POWER = -348;
    private static final int MAX_POWER = 347;
    /**
     * 10^e for e in [MIN_POWER, MAX_POWER] as 128-bit mantissas rounded down, high bit set (two
     * longs per power, high then low); the binary exponent follows from e.
     */
    private static final long[] POWERS_OF_TEN = powersOfTen();

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
        if (significantDigits <= MAX_TRACKED_DIGITS) {
            // Shortest round-trip spellings of doubles carry up to 17 digits, too many for the
            // fast path above; Eisel-Lemire rounds them correctly without allocating.
            long bits = eiselLemire(mantissa, exponent);
            if (bits != -1) {
                return Double.longBitsToDouble(negative ? bits | Long.MIN_VALUE : bits);
            }
        }
        // Rare long, extreme or ambiguous numbers: the syntax is already checked, let the JDK round them.
        return Double.parseDouble(new String(b, start, end - start, StandardCharsets.ISO_8859_1));
    }

    /**
     * The bits of the double nearest to {@code mantissa * 10^exp10} (mantissa exact and non-zero),
     * or -1 when the 128-bit approximation cannot decide the rounding (the caller falls back).
     * Daniel Lemire's algorithm after Michael Eisel, in the form Go's strconv uses.
     */
    static long eiselLemire(long mantissa, int exp10) {
        if (exp10 < MIN_POWER || exp10 > MAX_POWER) {
            return -1;
        }
        int clz = Long.numberOfLeadingZeros(mantissa);
        long man = mantissa << clz;
        long retExp2 = ((217706L * exp10) >> 16) + 64 + 1023 - clz;
        int row = 2 * (exp10 - MIN_POWER);
        long powHi = POWERS_OF_TEN[row];
        long powLo = POWERS_OF_TEN[row + 1];
        long xHi = unsignedMultiplyHigh(man, powHi);
        long xLo = man * powHi;
        if ((xHi & 0x1FF) == 0x1FF && Long.compareUnsigned(xLo + man, man) < 0) {
            // The truncated product may be off by one in its low bits: widen with the power's low half.
            long yHi = unsignedMultiplyHigh(man, powLo);
            long yLo = man * powLo;
            long mergedHi = xHi;
            long mergedLo = xLo + yHi;
            if (Long.compareUnsigned(mergedLo, xLo) < 0) {
                mergedHi++;
            }
            if ((mergedHi & 0x1FF) == 0x1FF && mergedLo + 1 == 0 && Long.compareUnsigned(yLo + man, man) < 0) {
                return -1;
            }
            xHi = mergedHi;
            xLo = mergedLo;
        }
        long msb = xHi >>> 63;
        long retMantissa = xHi >>> (msb + 9);
        retExp2 -= 1 ^ msb;
        if (xLo == 0 && (xHi & 0x1FF) == 0 && (retMantissa & 3) == 1) {
            // Exactly halfway between two doubles: the approximation cannot tell which way to round.
            return -1;
        }
        retMantissa += retMantissa & 1;
        retMantissa >>>= 1;
        if (retMantissa >>> 53 > 0) {
            retMantissa >>>= 1;
            retExp2++;
        }
        if (Long.compareUnsigned(retExp2 - 1, 0x7FF - 1) >= 0) {
            // Subnormal, zero, infinite: rare enough for the slow path.
            return -1;
        }
        return retExp2 << 52 | retMantissa & 0x000F_FFFF_FFFF_FFFFL;
    }

    private static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    private static long[] powersOfTen() {
        long[] table = new long[2 * (MAX_POWER - MIN_POWER + 1)];
        BigInteger ten = BigInteger.TEN;
        for (int e = MIN_POWER; e <= MAX_POWER; e++) {
            // Scaled by 2^shift so that the 128-bit result has its top bit set.
            int shift = 127 - (int) ((217706L * e) >> 16);
            BigInteger scaled = e >= 0
                    ? (shift >= 0 ? ten.pow(e).shiftLeft(shift) : ten.pow(e).shiftRight(-shift))
                    : BigInteger.ONE.shiftLeft(shift).divide(ten.pow(-e));
            if (scaled.bitLength() != 128) {
                throw new AssertionError("power of ten 1e" + e + " is not normalized: " + scaled.bitLength() + " bits");
            }
            table[2 * (e - MIN_POWER)] = scaled.shiftRight(64).longValue();
            table[2 * (e - MIN_POWER) + 1] = scaled.longValue();
        }
        return table;
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
