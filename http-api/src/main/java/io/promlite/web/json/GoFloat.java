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

    /** The most characters {@link #api(double, ShortestDigits, byte[], int)} writes: a sign, "0.", 5 zeros, 17 digits. */
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
        String special = special(v);
        if (special != null) {
            for (int i = 0; i < special.length(); i++) {
                out[at + i] = (byte) special.charAt(i);
            }
            return at + special.length();
        }
        if (spelledAsLong(v)) {
            return NumberOutput.outputLong((long) v, out, at);
        }
        int n = at;
        if (v < 0 || (v == 0 && 1 / v < 0)) {
            out[n++] = '-';
        }
        double abs = Math.abs(v);
        if (abs == 0) {
            // Only -0 gets here: 0 is spelled as a long.
            out[n++] = '0';
            return n;
        }
        shortest.compute(abs);
        // The digits are written at n, then moved apart where a point or zeros go in.
        int digitsEnd = NumberOutput.outputLong(shortest.digits, out, n);
        int count = digitsEnd - n;
        int point = count + shortest.exponent;
        if (abs < 1e-6 || abs >= 1e21) {
            // d[.ddd]e±XX
            int exp = point - 1;
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
            // ddd000 (from 1e15 on, where values are no longer spelled as a long)
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

    /** Go's {@code %g} with shortest precision: exponent form when the exponent is < -4 or >= 21. */
    public static String g(double v) {
        String special = special(v);
        if (special != null) {
            return special;
        }
        if (v == 0) {
            return format(v, 'f');
        }
        Decimal d = Decimal.of(v);
        int exp = d.pointPosition - 1;
        return exp < -4 || exp >= 21 ? format(v, 'e') : format(v, 'f');
    }

    /**
     * Go's {@code strconv.FormatFloat(v, 'g', -1, 64)}, the text exposition format's spelling:
     * exponent form when the exponent is < -4 or >= 6 ({@code 1e+06}, {@code 1.5e-05}).
     */
    public static String exposition(double v) {
        String special = special(v);
        if (special != null) {
            return special;
        }
        if (v == 0) {
            return format(v, 'f');
        }
        int exp = Decimal.of(Math.abs(v)).pointPosition - 1;
        return exp < -4 || exp >= 6 ? format(v, 'e') : format(v, 'f');
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

    /** The general spelling, from the shortest digits; {@link #api} takes shortcuts to the same result. */
    static String format(double v, char fmt) {
        StringBuilder sb = new StringBuilder(24);
        if (v < 0 || (v == 0 && 1 / v < 0)) {
            sb.append('-');
        }
        if (v == 0) {
            return sb.append(fmt == 'e' ? "0e+00" : "0").toString();
        }
        Decimal d = Decimal.of(Math.abs(v));
        String digits = d.digits;
        if (fmt == 'e') {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            int exp = d.pointPosition - 1;
            sb.append('e').append(exp < 0 ? '-' : '+');
            int absExp = Math.abs(exp);
            if (absExp < 10) {
                sb.append('0');
            }
            return sb.append(absExp).toString();
        }
        int point = d.pointPosition;
        if (point <= 0) {
            sb.append("0.");
            sb.append("0".repeat(-point));
            sb.append(digits);
        } else if (point >= digits.length()) {
            sb.append(digits).append("0".repeat(point - digits.length()));
        } else {
            sb.append(digits, 0, point).append('.').append(digits, point, digits.length());
        }
        return sb.toString();
    }

    /** Shortest round-trip digits (no leading/trailing zeros) with value = 0.digits × 10^pointPosition. */
    private record Decimal(String digits, int pointPosition) {
        static Decimal of(double positive) {
            // Schubfach gives the shortest round-trip digits in Double.toString's layout.
            String s = NumberOutput.toString(positive, true);
            int e = s.indexOf('E');
            String mantissa = e < 0 ? s : s.substring(0, e);
            int exp10 = e < 0 ? 0 : Integer.parseInt(s.substring(e + 1));
            int dot = mantissa.indexOf('.');
            String intPart = dot < 0 ? mantissa : mantissa.substring(0, dot);
            String fracPart = dot < 0 ? "" : mantissa.substring(dot + 1);
            String all = intPart + fracPart;
            int point = intPart.length() + exp10;
            int lead = 0;
            while (lead < all.length() - 1 && all.charAt(lead) == '0') {
                lead++;
            }
            int end = all.length();
            while (end > lead + 1 && all.charAt(end - 1) == '0') {
                end--;
            }
            Decimal d = new Decimal(all.substring(lead, end), point - lead);
            return positive < Double.MIN_NORMAL ? d.shortestSubnormal(positive) : d;
        }

        /**
         * Java's layout keeps two digits where one would round-trip if two are closer to the exact
         * value; that only happens among subnormals (4.9e-324 for Go's 5e-324).
         */
        private Decimal shortestSubnormal(double positive) {
            if (digits.length() != 2) {
                return this;
            }
            int first = digits.charAt(0) - '0' + (digits.charAt(1) >= '5' ? 1 : 0);
            Decimal oneDigit = first == 10 ? new Decimal("1", pointPosition + 1)
                    : new Decimal(String.valueOf(first), pointPosition);
            double back = Double.parseDouble("0." + oneDigit.digits + "E" + oneDigit.pointPosition);
            return back == positive ? oneDigit : this;
        }
    }
}
