package io.promlite.promql.functions;

/**
 * Marks "no sample at this step" inside the evaluator's dense per-step value arrays, so a series
 * over many steps is one {@code double[]} with no side bitmap. It is a quiet NaN with a payload no
 * arithmetic produces: input NaNs are canonicalised on load and absent slots are never computed
 * with, so the pattern cannot arise from data.
 */
public final class Absent {
    public static final long BITS = 0x7ff80000000ab5e7L;
    public static final double VALUE = Double.longBitsToDouble(BITS);

    private Absent() {
    }

    public static boolean is(double v) {
        return Double.doubleToRawLongBits(v) == BITS;
    }

    public static double[] newArray(int steps) {
        double[] a = new double[steps];
        java.util.Arrays.fill(a, VALUE);
        return a;
    }
}
