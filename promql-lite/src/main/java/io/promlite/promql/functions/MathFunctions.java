package io.promlite.promql.functions;

import java.math.BigDecimal;
import java.util.Arrays;

/** Numeric building blocks shared by aggregations and range functions, with Prometheus's numerics. */
public final class MathFunctions {
    private MathFunctions() {
    }

    /** Compensated sum of {@code v[from..to)}. */
    public static double sum(double[] v, int from, int to) {
        KahanSum s = new KahanSum();
        for (int i = from; i < to; i++) {
            s.add(v[i]);
        }
        return s.value();
    }

    /**
     * Mean of {@code v[from..to)}: a compensated sum divided once, switching to an incremental mean
     * only if the sum overflows, as Prometheus's avg does.
     */
    public static double mean(double[] v, int from, int to) {
        double sum = v[from];
        double c = 0;
        double mean = 0;
        boolean incremental = false;
        double count = 1;
        for (int i = from + 1; i < to; i++) {
            count++;
            double x = v[i];
            if (!incremental) {
                double t = sum + x;
                if (!Double.isInfinite(t)) {
                    c = KahanSum.compensate(x, sum, t, c);
                    sum = t;
                    continue;
                }
                incremental = true;
                mean = sum / (count - 1);
                c /= count - 1;
            }
            double q = (count - 1) / count;
            double base = q * mean;
            double inc = x / count;
            double t = base + inc;
            c = KahanSum.compensate(inc, base, t, q * c);
            mean = t;
        }
        return incremental ? mean + c : sum / count + c / count;
    }

    /** Population variance (Welford) of {@code v[from..to)}. */
    public static double variance(double[] v, int from, int to) {
        double mean = 0;
        double m2 = 0;
        double count = 0;
        for (int i = from; i < to; i++) {
            count++;
            double delta = v[i] - mean;
            mean += delta / count;
            m2 += delta * (v[i] - mean);
        }
        return m2 / count;
    }

    /**
     * Prometheus's quantile: linear interpolation between the closest ranks; q outside [0, 1]
     * gives ±Inf, NaN gives NaN. Sorts {@code v[0..n)} in place.
     */
    public static double quantile(double q, double[] v, int n) {
        if (n == 0 || Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        sortNaNFirst(v, n);
        double rank = q * (n - 1);
        int lower = (int) Math.max(0, Math.floor(rank));
        int upper = Math.min(n - 1, lower + 1);
        double weight = rank - Math.floor(rank);
        return v[lower] * (1 - weight) + v[upper] * weight;
    }

    /** Sorts {@code v[0..n)} ascending with NaNs first, as Go's sort.Float64s orders them. */
    static void sortNaNFirst(double[] v, int n) {
        Arrays.sort(v, 0, n);
        int nans = 0;
        while (nans < n && Double.isNaN(v[n - 1 - nans])) {
            nans++;
        }
        if (nans > 0) {
            System.arraycopy(v, 0, v, nans, n - nans);
            Arrays.fill(v, 0, nans, Double.NaN);
        }
    }

    /** A float in OpenMetrics' canonical form: integral values keep a ".0" (1 is "1.0"). */
    public static String formatOpenMetrics(double v) {
        String s = formatValue(v);
        boolean plain = s.chars().allMatch(c -> c == '-' || (c >= '0' && c <= '9'));
        return plain ? s + ".0" : s;
    }

    /** A float as Go's {@code strconv.FormatFloat(v, 'f', -1, 64)} spells it (used for label values). */
    public static String formatValue(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** A float as Go's {@code %g} prints it (shortest digits; exponent form below 1e-4 or from 1e6). */
    public static String formatG(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0" : "0";
        }
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        int exp = d.precision() - d.scale() - 1;
        if (exp < -4 || exp >= 6) {
            String digits = d.unscaledValue().abs().toString();
            StringBuilder sb = new StringBuilder(v < 0 ? "-" : "").append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            return sb.append(exp < 0 ? "e-" : "e+").append(String.format("%02d", Math.abs(exp))).toString();
        }
        return d.toPlainString();
    }
}
