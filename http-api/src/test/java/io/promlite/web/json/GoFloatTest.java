package io.promlite.web.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoFloatTest {
    /** Expected spellings are what Go's strconv.FormatFloat(v, 'f' or 'e', -1, 64) returns. */
    @ParameterizedTest
    @CsvSource({
        "42, 42",
        "0, 0",
        "-0.0, -0",
        "0.1, 0.1",
        "1.5, 1.5",
        "-2.25, -2.25",
        "123456789012, 123456789012",
        "0.000001, 0.000001",
        "0.0000001, 1e-07",
        "1e21, 1e+21",
        "1.5e22, 1.5e+22",
        "999999999999999900000, 999999999999999900000",
        "1700000000.123, 1700000000.123",
        "NaN, NaN",
        "Infinity, +Inf",
        "-Infinity, -Inf",
        "4.9e-324, 5e-324",
        "0.001, 0.001",
        "0.0009765625, 0.0009765625",
        "9999999.5, 9999999.5",
        "10000000, 10000000",
        "10000000.5, 10000000.5",
        "999999999999999, 999999999999999",
        "1e15, 1000000000000000",
        "3901990.4166666665, 3901990.4166666665",
    })
    void apiSpelling(String input, String expected) {
        assertEquals(expected, GoFloat.api(Double.parseDouble(input)));
    }

    /** Go's strconv.FormatFloat(v, 'g', -1, 64), as the text exposition format writes values. */
    @ParameterizedTest
    @CsvSource({
        "42, 42",
        "0, 0",
        "123456, 123456",
        "1000000, 1e+06",
        "123456789, 1.23456789e+08",
        "0.0001, 0.0001",
        "0.000015, 1.5e-05",
        "-2000000, -2e+06",
        "NaN, NaN",
        "Infinity, +Inf",
        "-0.0, -0",
        "2.5e-300, 2.5e-300",
        "1e100, 1e+100",
        "4.9e-324, 5e-324",
    })
    void expositionSpelling(String input, String expected) {
        assertEquals(expected, GoFloat.exposition(Double.parseDouble(input)));
    }

    /** The shortcuts for integers and for [1e-3, 1e7) spell every value as the general path does. */
    @Test
    void apiShortcutsAgreeWithTheGeneralSpelling() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            double magnitude = Math.pow(10, r.nextDouble(-4, 16));
            double v = switch (i % 4) {
                case 0 -> Math.rint(magnitude);
                case 1 -> Math.rint(magnitude * 100) / 100;
                case 2 -> -magnitude;
                default -> magnitude;
            };
            assertEquals(reference(v, 'f'), GoFloat.api(v), () -> "value " + v);
        }
    }

    /**
     * The API spelling (shortest digits from {@link ShortestDigits}) agrees with the general
     * spelling (shortest digits from another algorithm, Schubfach) over the whole double range:
     * any bit pattern, subnormals, quotients like rates, exact binary fractions, short decimals
     * (where exact midpoints and bound cases arise), and the neighbours of powers of two and ten.
     */
    @Test
    void apiAgreesWithTheGeneralSpellingOverAllMagnitudes() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 1_000_000; i++) {
            double v = switch (i % 5) {
                case 0 -> Double.longBitsToDouble(r.nextLong());
                case 1 -> Double.longBitsToDouble(r.nextLong(1L << 52));
                case 2 -> r.nextInt(1, 10_000_000) / (double) r.nextInt(1, 100_000);
                case 3 -> Math.scalb((double) r.nextLong(1L << 53), r.nextInt(-1100, 1000));
                default -> Double.parseDouble(r.nextInt(1, 100_000) + "e" + r.nextInt(-330, 310));
            };
            assertApiAsGeneral(v);
            assertApiAsGeneral(-v);
        }
        for (int e = -1074; e <= 1023; e++) {
            double p = Math.scalb(1.0, e);
            assertApiAsGeneral(p);
            assertApiAsGeneral(Math.nextUp(p));
            assertApiAsGeneral(Math.nextDown(p));
        }
        for (int e = -325; e <= 308; e++) {
            double p = Double.parseDouble("1e" + e);
            assertApiAsGeneral(p);
            assertApiAsGeneral(Math.nextUp(p));
            assertApiAsGeneral(Math.nextDown(p));
        }
        for (double v : new double[] {Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, 5e-324, 9007199254740993.0,
                0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 1e23, 8.41e21, 5.0e-7, 9.999999999999999e-7}) {
            assertApiAsGeneral(v);
        }
    }

    private static void assertApiAsGeneral(double v) {
        String expected;
        if (Double.isNaN(v)) {
            expected = "NaN";
        } else if (Double.isInfinite(v)) {
            expected = v > 0 ? "+Inf" : "-Inf";
        } else {
            double abs = Math.abs(v);
            expected = reference(v, abs != 0 && (abs < 1e-6 || abs >= 1e21) ? 'e' : 'f');
        }
        assertEquals(expected, GoFloat.api(v), () -> "value bits " + Long.toHexString(Double.doubleToRawLongBits(v)));
    }

    /**
     * The reference spelling, from independent shortest digits (Schubfach, through jackson-core's
     * Double.toString layout): Go's 'e' or 'f' with -1 precision.
     */
    private static String reference(double v, char fmt) {
        StringBuilder sb = new StringBuilder(24);
        if (v < 0 || (v == 0 && 1 / v < 0)) {
            sb.append('-');
        }
        if (v == 0) {
            return sb.append("0").toString();
        }
        double abs = Math.abs(v);
        String s = NumberOutput.toString(abs, true);
        int e = s.indexOf('E');
        String mantissa = e < 0 ? s : s.substring(0, e);
        int dot = mantissa.indexOf('.');
        String intPart = dot < 0 ? mantissa : mantissa.substring(0, dot);
        String all = intPart + (dot < 0 ? "" : mantissa.substring(dot + 1));
        int point = intPart.length() + (e < 0 ? 0 : Integer.parseInt(s.substring(e + 1)));
        int lead = 0;
        while (lead < all.length() - 1 && all.charAt(lead) == '0') {
            lead++;
        }
        int end = all.length();
        while (end > lead + 1 && all.charAt(end - 1) == '0') {
            end--;
        }
        String digits = all.substring(lead, end);
        point -= lead;
        if (abs < Double.MIN_NORMAL && digits.length() == 2) {
            // Java's layout keeps two digits where one would round-trip if two are closer to the
            // exact value; that only happens among subnormals (4.9e-324 for Go's 5e-324).
            int first = digits.charAt(0) - '0' + (digits.charAt(1) >= '5' ? 1 : 0);
            String one = first == 10 ? "1" : String.valueOf(first);
            int onePoint = first == 10 ? point + 1 : point;
            if (Double.parseDouble("0." + one + "E" + onePoint) == abs) {
                digits = one;
                point = onePoint;
            }
        }
        if (fmt == 'e') {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            int exp = point - 1;
            sb.append('e').append(exp < 0 ? '-' : '+');
            if (Math.abs(exp) < 10) {
                sb.append('0');
            }
            return sb.append(Math.abs(exp)).toString();
        }
        if (point <= 0) {
            return sb.append("0.").append("0".repeat(-point)).append(digits).toString();
        }
        if (point >= digits.length()) {
            return sb.append(digits).append("0".repeat(point - digits.length())).toString();
        }
        return sb.append(digits, 0, point).append('.').append(digits, point, digits.length()).toString();
    }
}
