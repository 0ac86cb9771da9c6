package io.promlite.promql.functions;

import io.promlite.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** histogram_quantile over classic (le-labelled bucket) histograms. */
public final class Histograms {
    /** Bucket counts closer than this (relatively) are treated as equal float noise, as in Prometheus. */
    private static final double SMALL_DELTA_TOLERANCE = 1e-12;

    private Histograms() {
    }

    /** What histogram_quantile reports about its input besides the result. */
    public interface Issues {
        /** {@code series} has no {@code le} label or one that is not a number. */
        void badBucketLabel(Labels series);

        /** Some group's cumulative counts decreased and were raised to keep the buckets monotonic. */
        void forcedMonotonicity();
    }

    /** A series as histogram_quantile needs it: labels and per-step values. */
    public record Input(Labels labels, double[] values) {
    }

    /**
     * Groups {@code series} by their labels without {@code le} and computes the q-quantile of each
     * group at each step. The result keeps the metric name (the caller drops it and reports
     * histograms that then collide). Series without a parseable {@code le} are ignored.
     */
    public static List<Input> quantile(double[] q, List<Input> series, int steps, Issues issues) {
        Map<Labels, List<double[]>> groups = new LinkedHashMap<>();
        for (Input s : series) {
            String le = s.labels().get("le");
            double upper;
            try {
                upper = le == null ? Double.NaN : parseLe(le);
            } catch (NumberFormatException e) {
                le = null;
                upper = Double.NaN;
            }
            if (le == null) {
                issues.badBucketLabel(s.labels());
                continue;
            }
            Labels key = s.labels().without("le");
            double[] withBound = new double[steps + 1];
            withBound[0] = upper;
            System.arraycopy(s.values(), 0, withBound, 1, steps);
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(withBound);
        }
        List<Input> out = new ArrayList<>();
        double[] bounds = new double[16];
        double[] counts = new double[16];
        boolean[] forced = new boolean[1];
        for (Map.Entry<Labels, List<double[]>> g : groups.entrySet()) {
            List<double[]> buckets = g.getValue();
            buckets.sort((a, b) -> Double.compare(a[0], b[0]));
            double[] values = Absent.newArray(steps);
            boolean any = false;
            for (int i = 0; i < steps; i++) {
                int n = 0;
                if (bounds.length < buckets.size()) {
                    bounds = new double[buckets.size()];
                    counts = new double[buckets.size()];
                }
                for (double[] b : buckets) {
                    double c = b[i + 1];
                    if (Absent.is(c)) {
                        continue;
                    }
                    if (n > 0 && bounds[n - 1] == b[0]) {
                        counts[n - 1] += c;
                    } else {
                        bounds[n] = b[0];
                        counts[n] = c;
                        n++;
                    }
                }
                if (n == 0) {
                    continue;
                }
                forced[0] = false;
                values[i] = bucketQuantile(q[i], bounds, counts, n, forced);
                if (forced[0]) {
                    issues.forcedMonotonicity();
                }
                any = true;
            }
            if (any) {
                out.add(new Input(g.getKey(), values));
            }
        }
        return out;
    }

    private static double parseLe(String le) {
        return switch (le) {
            case "+Inf", "Inf", "+inf", "inf" -> Double.POSITIVE_INFINITY;
            case "-Inf", "-inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(le);
        };
    }

    /**
     * Prometheus's bucketQuantile over sorted, coalesced buckets; sets {@code forced[0]} when a
     * decreasing count had to be raised.
     */
    static double bucketQuantile(double q, double[] bounds, double[] counts, int n, boolean[] forced) {
        if (Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        if (bounds[n - 1] != Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        double prev = counts[0];
        for (int i = 1; i < n; i++) {
            double curr = counts[i];
            if (curr == prev) {
                continue;
            }
            if (almostEqual(prev, curr, SMALL_DELTA_TOLERANCE)) {
                counts[i] = prev;
                continue;
            }
            if (curr < prev) {
                counts[i] = prev;
                forced[0] = true;
                continue;
            }
            prev = curr;
        }
        if (n < 2) {
            return Double.NaN;
        }
        double observations = counts[n - 1];
        if (observations == 0) {
            return Double.NaN;
        }
        double rank = q * observations;
        int b = 0;
        while (b < n - 1 && !(counts[b] >= rank)) {
            b++;
        }
        if (b == n - 1) {
            return bounds[n - 2];
        }
        if (b == 0 && bounds[0] <= 0) {
            return bounds[0];
        }
        double start = 0;
        double end = bounds[b];
        double count = counts[b];
        if (b > 0) {
            start = bounds[b - 1];
            count -= counts[b - 1];
            rank -= counts[b - 1];
        }
        return start + (end - start) * (rank / count);
    }

    /** Prometheus's relative float comparison (util/almost). */
    public static boolean almostEqual(double a, double b, double epsilon) {
        if (Double.isNaN(a) && Double.isNaN(b)) {
            return true;
        }
        if (a == b) {
            return true;
        }
        double minNormal = Double.MIN_NORMAL;
        double absSum = Math.abs(a) + Math.abs(b);
        double diff = Math.abs(a - b);
        if (a == 0 || b == 0 || absSum < minNormal) {
            return diff < epsilon * minNormal;
        }
        return diff / Math.min(absSum, Double.MAX_VALUE) < epsilon;
    }
}
