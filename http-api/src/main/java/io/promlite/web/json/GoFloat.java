package io.promlite.web.json;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.nio.charset.StandardCharsets;

/**
 * Formats doubles exactly as Go's {@code strconv.FormatFloat(f, fmt, -1, 64)} does, because
 * Prometheus's clients see those spellings: the shortest digits that round-trip, {@code NaN},
 * {@code +Inf}, {@code -Inf}.
 */
public final class GoFloat {
    private GoFloat() {
    }

    /** The most characters a spelling takes here: a sign, "0.", 5 zeros and 17 digits, or 17 digits, ".", "e-308". */
    static final int MAX_API_CHARS = 25;

    /**
     * The spelling of a sample value in Prometheus's JSON API: plain decimal notation, switching
     * to exponent notation below 1e-6 or from 1e21 on (Prometheus's {@code jsonutil.MarshalFloat}).
     */
    public static String api(double v) {
        byte[] buf = new byte[MAX_API_CHARS];
        return new String(buf, 0, api(v, new ShortestDigits(), buf, 0), StandardCharsets.ISO_8859_1);
    }

    /**
     * Writes {@link #api(double)}'s spelling of {@code v} (ASCII) into {@code out} from {@code at},
     * which has room for {@link #MAX_API_CHARS}; returns the end. Allocates nothing.
     */
    static int api(double v, ShortestDigits shortest, byte[] out, int at) {
        if (spelledAsLong(v)) {
            return NumberOutput.outputLong((long) v, out, at);
        }
        // Exponent form below 1e-6 and from 1e21 on, i.e. for decimal exponents below -6 or from 21.
        return write(v, -6, 21, shortest, out, at);
    }

    /**
     * Writes {@code v} in Go's layout from its shortest digits: {@code d[.ddd]e±XX} when the decimal
     * exponent is below {@code minPlainExp} or at least {@code maxPlainExp}, plain decimal otherwise.
     */
    private static int write(double v, int minPlainExp, int maxPlainExp, ShortestDigits shortest, byte[] out, int at) {
        String special = special(v);
        if (special != null) {
            for (int i = 0; i < special.length(); i++) {
                out[at + i] = (byte) special.charAt(i);
            }
            return at + special.length();
        }
        int n = at;
        if (v < 0 || (v == 0 && 1 / v < 0)) {
            out[n++] = '-';
        }
        double abs = Math.abs(v);
        if (abs == 0) {
            out[n++] = '0';
            return n;
        }
        shortest.compute(abs);
        // The digits are written at n, then moved apart where a point or zeros go in.
        int digitsEnd = NumberOutput.outputLong(shortest.digits, out, n);
        int count = digitsEnd - n;
        int point = count + shortest.exponent;
        int exp = point - 1;
        if (exp < minPlainExp || exp >= maxPlainExp) {
            if (count > 1) {
                System.arraycopy(out, n + 1, out, n + 2, count - 1);
                out[n + 1] = '.';
                n += count + 1;
            } else {
                n++;
            }
            out[n++] = 'e';
            out[n++] = (byte) (exp < 0 ? '-' : '+');
            int absExp = Math.abs(exp);
            if (absExp >= 100) {
                out[n++] = (byte) ('0' + absExp / 100);
            }
            out[n++] = (byte) ('0' + absExp / 10 % 10);
            out[n++] = (byte) ('0' + absExp % 10);
            return n;
        }
        if (point <= 0) {
            // 0.000ddd
            int zeros = -point;
            System.arraycopy(out, n, out, n + 2 + zeros, count);
            out[n] = '0';
            out[n + 1] = '.';
            for (int i = 0; i < zeros; i++) {
                out[n + 2 + i] = '0';
            }
            return n + 2 + zeros + count;
        }
        if (point >= count) {
            // ddd000
            for (int i = 0; i < point - count; i++) {
                out[digitsEnd + i] = '0';
            }
            return n + point;
        }
        // ddd.ddd
        System.arraycopy(out, n + point, out, n + point + 1, count - point);
        out[n + point] = '.';
        return n + count + 1;
    }

    /**
     * Whether {@link #api} spells {@code v} as the digits of {@code (long) v}: an integer below
     * 2^53 is exact, so its shortest digits are its own (not -0, which keeps its sign).
     */
    static boolean spelledAsLong(double v) {
        return Math.abs(v) < 1e15 && v == Math.rint(v) && !(v == 0 && 1 / v < 0);
    }

    /**
     * Go's {@code strconv.FormatFloat(v, 'g', -1, 64)}, the text exposition format's spelling:
     * exponent form when the exponent is < -4 or >= 6 ({@code 1e+06}, {@code 1.5e-05}).
     */
    public static String exposition(double v) {
        byte[] buf = new byte[MAX_API_CHARS];
        return new String(buf, 0, write(v, -4, 6, new ShortestDigits(), buf, 0), StandardCharsets.ISO_8859_1);
    }

    private static String special(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (v == Double.POSITIVE_INFINITY) {
            return "+Inf";
        }
        if (v == Double.NEGATIVE_INFINITY) {
            return "-Inf";
        }
        return null;
    }
}
