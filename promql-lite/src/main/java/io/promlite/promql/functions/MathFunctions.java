package io.promlite.promql.functions;

import java.math.BigDecimal;
import java.util.Arrays;

/** Numeric building blocks shared by aggregations and range functions, with Prometheus's numerics. */
public final class MathFunctions {
    private MathFunctions() {
    }

    /** Kahan-compensated increment: returns the new sum; {@code c[0]} carries the compensation. */
    public static double kahanSumInc(double inc, double sum, double[] c) {
        double t = sum + inc;
        if (Double.isInfinite(t)) {
            c[0] = 0;
        } else if (Math.abs(sum) >= Math.abs(inc)) {
            c[0] += (sum - t) + inc;
        } else {
            c[0] += (inc - t) + sum;
        }
        return t;
    }

    /** Compensated sum of {@code v[from..to)}. */
    public static double sum(double[] v, int from, int to) {
        double[] c = new double[1];
        double s = 0;
        for (int i = from; i < to; i++) {
            s = kahanSumInc(v[i], s, c);
        }
        return s + c[0];
    }

    /**
     * Mean of {@code v[from..to)}: a compensated sum divided once, switching to an incremental mean
     * only if the sum overflows, as Prometheus's avg does.
     */
    public static double mean(double[] v, int from, int to) {
        double[] c = new double[1];
        double sum = v[from];
        double mean = 0;
        boolean incremental = false;
        double count = 1;
        for (int i = from + 1; i < to; i++) {
            count++;
            double x = v[i];
            if (!incremental) {
                double[] c2 = {c[0]};
                double s2 = kahanSumInc(x, sum, c2);
                if (!Double.isInfinite(s2)) {
                    sum = s2;
                    c[0] = c2[0];
                    continue;
                }
                incremental = true;
                mean = sum / (count - 1);
                c[0] /= count - 1;
            }
            double q = (count - 1) / count;
            mean = kahanSumInc(x / count, q * mean, scale(c, q));
        }
        if (incremental) {
            return mean + c[0];
        }
        return sum / count + c[0] / count;
    }

    private static double[] scale(double[] c, double q) {
        c[0] *= q;
        return c;
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
}
