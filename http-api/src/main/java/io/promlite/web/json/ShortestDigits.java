package io.promlite.web.json;

import java.math.BigInteger;

/**
 * The shortest decimal that reads back as a given double (closest to it among the shortest,
 * ties to even), computed with the Ryū algorithm (Ulf Adams, PLDI 2018), as Go's
 * {@code strconv.FormatFloat(f, 'g'|'e'|'f', -1, 64)} chooses its digits. Unlike a formatter
 * returning a string, it allocates nothing: a query result spells tens of thousands of values.
 *
 * <p>Result of {@link #compute}: {@link #digits} × 10^{@link #exponent}, {@code digits} having no
 * trailing zeros. Not thread-safe; one instance per writer.
 */
final class ShortestDigits {
    private static final int MANTISSA_BITS = 52;
    private static final int EXPONENT_BIAS = 1023;
    private static final int POW5_INV_BITCOUNT = 125;
    private static final int POW5_BITCOUNT = 125;
    /** 5^-q scaled, for binary exponents at or above 0: q up to log10(2^971). */
    private static final int POW5_INV_TABLE_SIZE = 342;
    /** 5^i scaled, for negative binary exponents: i up to 1076 - log10(5^1076). */
    private static final int POW5_TABLE_SIZE = 326;

    /** Low and high 64 bits of the 125-bit approximations of 5^-q (rounded up) and 5^i (truncated). */
    private static final long[] POW5_INV_LO = new long[POW5_INV_TABLE_SIZE];
    private static final long[] POW5_INV_HI = new long[POW5_INV_TABLE_SIZE];
    private static final long[] POW5_LO = new long[POW5_TABLE_SIZE];
    private static final long[] POW5_HI = new long[POW5_TABLE_SIZE];

    static {
        BigInteger mask64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        for (int i = 0; i < Math.max(POW5_INV_TABLE_SIZE, POW5_TABLE_SIZE); i++) {
            BigInteger pow = BigInteger.valueOf(5).pow(i);
            int bits = pow.bitLength();
            if (i < POW5_TABLE_SIZE) {
                int shift = bits - POW5_BITCOUNT;
                BigInteger v = shift >= 0 ? pow.shiftRight(shift) : pow.shiftLeft(-shift);
                POW5_LO[i] = v.and(mask64).longValue();
                POW5_HI[i] = v.shiftRight(64).longValue();
            }
            if (i < POW5_INV_TABLE_SIZE) {
                BigInteger inv = BigInteger.ONE.shiftLeft(bits - 1 + POW5_INV_BITCOUNT).divide(pow).add(BigInteger.ONE);
                POW5_INV_LO[i] = inv.and(mask64).longValue();
                POW5_INV_HI[i] = inv.shiftRight(64).longValue();
            }
        }
    }

    /** The significant digits of the last {@link #compute}, without trailing zeros. */
    long digits;
    /** The power of ten {@link #digits} is scaled by. */
    int exponent;

    /** Computes the shortest digits of {@code v}, which must be finite and greater than 0. */
    void compute(double v) {
        long bits = Double.doubleToRawLongBits(v);
        long ieeeMantissa = bits & ((1L << MANTISSA_BITS) - 1);
        int ieeeExponent = (int) (bits >>> MANTISSA_BITS) & 0x7ff;
        int e2;
        long m2;
        if (ieeeExponent == 0) {
            e2 = 1 - EXPONENT_BIAS - MANTISSA_BITS - 2;
            m2 = ieeeMantissa;
        } else {
            e2 = ieeeExponent - EXPONENT_BIAS - MANTISSA_BITS - 2;
            m2 = (1L << MANTISSA_BITS) | ieeeMantissa;
        }
        boolean acceptBounds = (m2 & 1) == 0;
        // The interval of decimals that read back as v: (mm, mp) around mv, all times 4 (in 2^e2 units).
        long mv = 4 * m2;
        int mmShift = ieeeMantissa != 0 || ieeeExponent <= 1 ? 1 : 0;
        long vr;
        long vp;
        long vm;
        int e10;
        boolean vmIsTrailingZeros = false;
        boolean vrIsTrailingZeros = false;
        if (e2 >= 0) {
            int q = log10Pow2(e2) - (e2 > 3 ? 1 : 0);
            e10 = q;
            int k = POW5_INV_BITCOUNT + pow5bits(q) - 1;
            int i = -e2 + q + k;
            vr = mulShift(4 * m2, POW5_INV_LO[q], POW5_INV_HI[q], i);
            vp = mulShift(4 * m2 + 2, POW5_INV_LO[q], POW5_INV_HI[q], i);
            vm = mulShift(4 * m2 - 1 - mmShift, POW5_INV_LO[q], POW5_INV_HI[q], i);
            if (q <= 21) {
                // Only one of mp, mv, mm can be a multiple of 5, if any.
                if (mv % 5 == 0) {
                    vrIsTrailingZeros = multipleOfPowerOf5(mv, q);
                } else if (acceptBounds) {
                    vmIsTrailingZeros = multipleOfPowerOf5(mv - 1 - mmShift, q);
                } else {
                    vp -= multipleOfPowerOf5(mv + 2, q) ? 1 : 0;
                }
            }
        } else {
            int q = log10Pow5(-e2) - (-e2 > 1 ? 1 : 0);
            e10 = q + e2;
            int i = -e2 - q;
            int k = pow5bits(i) - POW5_BITCOUNT;
            int j = q - k;
            vr = mulShift(4 * m2, POW5_LO[i], POW5_HI[i], j);
            vp = mulShift(4 * m2 + 2, POW5_LO[i], POW5_HI[i], j);
            vm = mulShift(4 * m2 - 1 - mmShift, POW5_LO[i], POW5_HI[i], j);
            if (q <= 1) {
                // mv has at least q trailing zero bits; mm has them only when mmShift is 1.
                vrIsTrailingZeros = true;
                if (acceptBounds) {
                    vmIsTrailingZeros = mmShift == 1;
                } else {
                    vp--;
                }
            } else if (q < 63) {
                vrIsTrailingZeros = (mv & ((1L << q) - 1)) == 0;
            }
        }
        int removed = 0;
        int lastRemovedDigit = 0;
        long output;
        if (vmIsTrailingZeros || vrIsTrailingZeros) {
            // The rare general case: exact bounds or an exact midpoint need tracking.
            while (vp / 10 > vm / 10) {
                vmIsTrailingZeros &= vm % 10 == 0;
                vrIsTrailingZeros &= lastRemovedDigit == 0;
                lastRemovedDigit = (int) (vr % 10);
                vr /= 10;
                vp /= 10;
                vm /= 10;
                removed++;
            }
            if (vmIsTrailingZeros) {
                while (vm % 10 == 0) {
                    vrIsTrailingZeros &= lastRemovedDigit == 0;
                    lastRemovedDigit = (int) (vr % 10);
                    vr /= 10;
                    vp /= 10;
                    vm /= 10;
                    removed++;
                }
            }
            if (vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0) {
                // Exactly halfway: round to even.
                lastRemovedDigit = 4;
            }
            output = vr + ((vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5 ? 1 : 0);
        } else {
            // Only the last digit removed decides the rounding, so digits can go several at a
            // time: values with few significant digits (0.25, 1.5) shed a dozen or more.
            boolean roundUp = false;
            while (vp / 10_000 > vm / 10_000) {
                roundUp = vr % 10_000 >= 5_000;
                vr /= 10_000;
                vp /= 10_000;
                vm /= 10_000;
                removed += 4;
            }
            if (vp / 100 > vm / 100) {
                roundUp = vr % 100 >= 50;
                vr /= 100;
                vp /= 100;
                vm /= 100;
                removed += 2;
            }
            while (vp / 10 > vm / 10) {
                roundUp = vr % 10 >= 5;
                vr /= 10;
                vp /= 10;
                vm /= 10;
                removed++;
            }
            output = vr + (vr == vm || roundUp ? 1 : 0);
        }
        int exp = e10 + removed;
        // Trailing zeros can remain (e.g. 1e22's interval admits only a long digit string).
        while (output % 10 == 0) {
            output /= 10;
            exp++;
        }
        digits = output;
        exponent = exp;
    }

    /** {@code (m × mul) >> j} for a 125-bit {@code mul} and {@code m} below 2^55; 64 < j < 128. */
    private static long mulShift(long m, long mulLo, long mulHi, int j) {
        long b0Hi = unsignedMultiplyHigh(m, mulLo);
        long b2Lo = m * mulHi;
        long b2Hi = unsignedMultiplyHigh(m, mulHi);
        long lo = b2Lo + b0Hi;
        long hi = b2Hi + (Long.compareUnsigned(lo, b2Lo) < 0 ? 1 : 0);
        int shift = j - 64;
        return (hi << (64 - shift)) | (lo >>> shift);
    }

    /** The high 64 bits of the unsigned product; {@code a} is not negative. */
    private static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((b >> 63) & a);
    }

    /** The bit length of 5^e, for 0 ≤ e ≤ 3528 (1 for e = 0). */
    private static int pow5bits(int e) {
        return (int) (((long) e * 1217359) >>> 19) + 1;
    }

    /** floor(log10(2^e)) for 0 ≤ e ≤ 1650. */
    private static int log10Pow2(int e) {
        return (int) (((long) e * 78913) >>> 18);
    }

    /** floor(log10(5^e)) for 0 ≤ e ≤ 2620. */
    private static int log10Pow5(int e) {
        return (int) (((long) e * 732923) >>> 20);
    }

    private static boolean multipleOfPowerOf5(long value, int p) {
        int count = 0;
        while (value > 0 && value % 5 == 0) {
            value /= 5;
            count++;
        }
        return count >= p;
    }
}
