package io.promlite.promql.functions;

/**
 * Kahan-Babuska compensated summation, as Prometheus sums floats: the lost low-order bits are
 * collected separately so that e.g. {@code 1e100 + 1 - 1e100} gives 1. Cheap enough to allocate
 * per window; it never escapes, so the JIT keeps it in registers.
 */
public final class KahanSum {
    private double sum;
    private double compensation;

    public void add(double x) {
        double t = sum + x;
        compensation = compensate(x, sum, t, compensation);
        sum = t;
    }

    public double value() {
        return sum + compensation;
    }

    /**
     * Adds {@code x} to the compensated sum kept at {@code i} of {@code sums} and {@code compensations}
     * (value: their sum), for many running sums in two arrays rather than an object each.
     */
    public static void add(double[] sums, double[] compensations, int i, double x) {
        double t = sums[i] + x;
        compensations[i] = compensate(x, sums[i], t, compensations[i]);
        sums[i] = t;
    }

    /** The compensation after adding {@code inc} to {@code sum} gave {@code t}; reset when t overflows. */
    static double compensate(double inc, double sum, double t, double c) {
        if (Double.isInfinite(t)) {
            return 0;
        }
        return Math.abs(sum) >= Math.abs(inc) ? c + ((sum - t) + inc) : c + ((inc - t) + sum);
    }
}
