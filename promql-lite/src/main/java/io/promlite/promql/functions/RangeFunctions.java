package io.promlite.promql.functions;

import io.promlite.promql.PromqlException;
import java.util.Arrays;

/**
 * Functions over one series' samples in one window {@code ts[lo..hi)}, which lies in
 * {@code (end - range, end]} of the step evaluated at {@code evalTime}. Each returns the value or {@link Absent#VALUE} when the window
 * yields no output (e.g. fewer than two samples for rate).
 */
public final class RangeFunctions {
    private RangeFunctions() {
    }

    /** One range function; {@code p1}/{@code p2} carry scalar arguments where the function takes them. */
    @FunctionalInterface
    public interface Fn {
        double apply(long[] ts, double[] v, int lo, int hi, long end, long range, long evalTime, double p1, double p2);
    }

    /** The function by name, or null. */
    public static Fn byName(String name) {
        return switch (name) {
            case "rate" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> extrapolated(ts, v, lo, hi, end, range, true, true);
            case "increase" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> extrapolated(ts, v, lo, hi, end, range, true, false);
            case "delta" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> extrapolated(ts, v, lo, hi, end, range, false, false);
            case "irate" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> instant(ts, v, null, lo, hi, true);
            case "idelta" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> instant(ts, v, null, lo, hi, false);
            case "deriv" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> hi - lo < 2 ? Absent.VALUE
                    : linearRegression(ts, v, lo, hi, ts[lo])[0];
            case "predict_linear" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> {
                if (hi - lo < 2) {
                    return Absent.VALUE;
                }
                double[] r = linearRegression(ts, v, lo, hi, evalTime);
                return r[0] * p1 + r[1];
            };
            case "resets" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> resets(v, ts, null, lo, hi);
            case "changes" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> {
                int n = 0;
                for (int i = lo + 1; i < hi; i++) {
                    if (v[i] != v[i - 1] && !(Double.isNaN(v[i]) && Double.isNaN(v[i - 1]))) {
                        n++;
                    }
                }
                return n;
            };
            case "avg_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> MathFunctions.mean(v, lo, hi);
            case "sum_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> MathFunctions.sum(v, lo, hi);
            case "count_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> hi - lo;
            case "min_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> {
                double m = v[lo];
                for (int i = lo + 1; i < hi; i++) {
                    if (v[i] < m || Double.isNaN(m)) {
                        m = v[i];
                    }
                }
                return m;
            };
            case "max_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> {
                double m = v[lo];
                for (int i = lo + 1; i < hi; i++) {
                    if (v[i] > m || Double.isNaN(m)) {
                        m = v[i];
                    }
                }
                return m;
            };
            case "stddev_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> Math.sqrt(MathFunctions.variance(v, lo, hi));
            case "stdvar_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> MathFunctions.variance(v, lo, hi);
            case "last_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> v[hi - 1];
            case "first_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> v[lo];
            case "present_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> 1;
            case "ts_of_last_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> ts[hi - 1] / 1000.0;
            case "ts_of_first_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> ts[lo] / 1000.0;
            case "ts_of_min_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> tsOfExtreme(ts, v, lo, hi, false);
            case "ts_of_max_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> tsOfExtreme(ts, v, lo, hi, true);
            case "quantile_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) ->
                    MathFunctions.quantile(p1, Arrays.copyOfRange(v, lo, hi), hi - lo);
            case "mad_over_time" -> (ts, v, lo, hi, end, range, evalTime, p1, p2) -> {
                double[] w = Arrays.copyOfRange(v, lo, hi);
                for (double x : w) {
                    if (Double.isNaN(x)) {
                        return Double.NaN;
                    }
                }
                double median = MathFunctions.quantile(0.5, w, w.length);
                for (int i = 0; i < w.length; i++) {
                    w[i] = Math.abs(w[i] - median);
                }
                return MathFunctions.quantile(0.5, w, w.length);
            };
            case "double_exponential_smoothing" -> RangeFunctions::doubleExponentialSmoothing;
            default -> null;
        };
    }

    /** resets: the counter resets in the window, by a value drop or, with start timestamps, a new start. */
    public static double resets(double[] v, long[] ts, long[] st, int lo, int hi) {
        int n = 0;
        for (int i = lo + 1; i < hi; i++) {
            if (v[i] < v[i - 1] || (st != null && isStartTimestampReset(st[i - 1], ts[i - 1], st[i], ts[i]))) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether a sample's start timestamp says its counter restarted since the previous sample, by
     * Prometheus's rules: an unset start, or one at or after the sample itself (OTel's "unknown
     * start"), or one before the previous sample, is no reset; one after the previous sample is.
     * One equal to the previous sample's time is a delta (a reset) when the previous sample had a
     * known, valid start of its own, else a cumulative series of unknown start (no reset).
     */
    static boolean isStartTimestampReset(long prevSt, long prevT, long st, long t) {
        if (st == 0 || st >= t || st < prevT) {
            return false;
        }
        if (st > prevT) {
            return true;
        }
        return prevSt != 0 && prevSt < prevT;
    }

    /**
     * Whether a sample in the window starts before the previous sample and differs from its start,
     * so the two count overlapping intervals (Prometheus warns about it).
     */
    public static boolean startTimeOverlap(long[] ts, long[] st, int lo, int hi) {
        for (int i = lo + 1; i < hi; i++) {
            if (st[i] != 0 && st[i] < ts[i - 1] && st[i] != st[i - 1]) {
                return true;
            }
        }
        return false;
    }

    /** rate, increase and delta: the change over the window, extrapolated towards its edges. */
    static double extrapolated(long[] ts, double[] v, int lo, int hi, long end, long range, boolean counter,
                               boolean perSecond) {
        return extrapolated(ts, v, null, lo, hi, end, range, counter, perSecond);
    }

    /**
     * {@link #extrapolated(long[], double[], int, int, long, long, boolean, boolean)} with the samples'
     * start timestamps ({@code st}, or null): a new start counts as a counter reset, and a counter
     * whose first sample starts inside the window grew from zero at that start rather than being
     * extrapolated to the window's start (which also gives a single sample a result).
     */
    public static double extrapolated(long[] ts, double[] v, long[] st, int lo, int hi, long end, long range,
                                      boolean counter, boolean perSecond) {
        int n = hi - lo;
        if (n < 1) {
            return Absent.VALUE;
        }
        double result = v[hi - 1] - v[lo];
        if (counter) {
            for (int i = lo + 1; i < hi; i++) {
                if (v[i] < v[i - 1] || (st != null && isStartTimestampReset(st[i - 1], ts[i - 1], st[i], ts[i]))) {
                    result += v[i - 1];
                }
            }
        }
        long rangeStart = end - range;
        double toStart = (ts[lo] - rangeStart) / 1000.0;
        double toEnd = (end - ts[hi - 1]) / 1000.0;
        double sampled = (ts[hi - 1] - ts[lo]) / 1000.0;
        double avgGap = n > 1 ? sampled / (n - 1) : 0;
        double threshold = avgGap * 1.1;
        if (counter && st != null && st[lo] != 0 && st[lo] > rangeStart && st[lo] < ts[lo]) {
            // The counter was zero at its start, inside the window: measure from there.
            toStart = 0;
            sampled = (ts[hi - 1] - st[lo]) / 1000.0;
            result += v[lo];
        } else if (n < 2) {
            return Absent.VALUE;
        } else {
            if (toStart >= threshold) {
                toStart = avgGap / 2;
            }
            if (counter && result > 0 && v[lo] >= 0) {
                // A counter cannot have been negative: extrapolate no further back than its zero point.
                double toZero = sampled * (v[lo] / result);
                if (toZero < toStart) {
                    toStart = toZero;
                }
            }
        }
        if (toEnd >= threshold) {
            toEnd = avgGap / 2;
        }
        double factor = sampled == 0 ? 1 : (sampled + toStart + toEnd) / sampled;
        if (perSecond) {
            factor /= range / 1000.0;
        }
        return result * factor;
    }

    /** The first index in {@code [from, to)} whose timestamp satisfies the bound, or {@code to}. */
    private static int firstAfter(long[] ts, int from, int to, long bound, boolean inclusive) {
        int lo = from;
        int hi = to;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (inclusive ? ts[mid] >= bound : ts[mid] > bound) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * rate, increase and delta over an anchored or smoothed window: the change between the values
     * at the window's edges, taken from the last sample at or before the start (anchored) or
     * interpolated at the start and end (smoothed), with counter resets corrected in between.
     * No extrapolation. The window {@code [lo, hi)} includes the samples around the range.
     */
    public static double extendedRate(long[] ts, double[] v, int lo, int hi, long rangeStart, long rangeEnd,
                                      boolean smoothed, boolean counter, boolean perSecond) {
        if (hi == lo) {
            return Absent.VALUE;
        }
        int last = hi - 1;
        int first = Math.max(lo, firstAfter(ts, lo, last, rangeStart, false) - 1);
        if (smoothed) {
            last = firstAfter(ts, lo, last, rangeEnd, true);
        }
        if (ts[last] <= rangeStart || ts[first] > rangeEnd) {
            return Absent.VALUE;
        }
        double left = smoothed && ts[first] < rangeStart
                ? interpolate(ts, v, first, first + 1, rangeStart, counter) : v[first];
        double right = smoothed && last > lo && ts[last] > rangeEnd
                ? interpolate(ts, v, last - 1, last, rangeEnd, counter) : v[last];
        double result = right - left;
        if (counter) {
            int innerFirst = ts[first] <= rangeStart ? first + 1 : first;
            int innerLast = ts[last] >= rangeEnd ? last - 1 : last;
            double prev = left;
            for (int i = innerFirst; i <= innerLast; i++) {
                if (v[i] < prev) {
                    result += prev;
                }
                prev = v[i];
            }
            if (right < prev) {
                result += prev;
            }
        }
        return perSecond ? result / ((rangeEnd - rangeStart) / 1000.0) : result;
    }

    /**
     * Rewrites an anchored or smoothed window as points at exactly the range's start and end (picked
     * or interpolated) around the samples strictly inside it, into {@code outTs}/{@code outV}
     * (sized at least {@code hi - lo + 2}). Returns the number of points, 0 when there are none.
     */
    public static int extendWindow(long[] ts, double[] v, int lo, int hi, long rangeStart, long rangeEnd,
                                   boolean smoothed, long[] outTs, double[] outV) {
        if (hi == lo) {
            return 0;
        }
        int last = hi - 1;
        int first = Math.max(lo, firstAfter(ts, lo, last, rangeStart, false) - 1);
        if (smoothed) {
            last = firstAfter(ts, lo, last, rangeEnd, true);
        }
        if (ts[last] <= rangeStart || ts[first] > rangeEnd) {
            return 0;
        }
        double left = smoothed && ts[first] < rangeStart
                ? interpolate(ts, v, first, first + 1, rangeStart, false) : v[first];
        double right = smoothed && last > lo && ts[last] > rangeEnd
                ? interpolate(ts, v, last - 1, last, rangeEnd, false) : v[last];
        if (ts[first] <= rangeStart) {
            first++;
        }
        if (ts[last] >= rangeEnd) {
            last--;
        }
        int n = 0;
        outTs[n] = rangeStart;
        outV[n++] = left;
        for (int i = first; i <= last; i++) {
            outTs[n] = ts[i];
            outV[n++] = v[i];
        }
        outTs[n] = rangeEnd;
        outV[n++] = right;
        return n;
    }

    /**
     * Linear interpolation at {@code t} between samples a and b. For a counter that reset between
     * them, the counter restarted from zero, so the interpolation runs from 0 to the later value.
     */
    private static double interpolate(long[] ts, double[] v, int a, int b, long t, boolean counter) {
        double y1 = v[a];
        double y2 = v[b];
        if (counter && y2 < y1) {
            y1 = 0;
        }
        return y1 + (y2 - y1) * (t - ts[a]) / (ts[b] - ts[a]);
    }

    /** irate and idelta from the window's last two samples; for irate a new start timestamp is a reset too. */
    public static double instant(long[] ts, double[] v, long[] st, int lo, int hi, boolean perSecond) {
        if (hi - lo < 2) {
            return Absent.VALUE;
        }
        double last = v[hi - 1];
        double prev = v[hi - 2];
        boolean reset = last < prev
                || (st != null && isStartTimestampReset(st[hi - 2], ts[hi - 2], st[hi - 1], ts[hi - 1]));
        double result = perSecond && reset ? last : last - prev;
        long interval = ts[hi - 1] - ts[hi - 2];
        if (interval == 0) {
            return Absent.VALUE;
        }
        return perSecond ? result / (interval / 1000.0) : result;
    }

    /** Least-squares slope and intercept, x in seconds relative to {@code interceptTime}, Kahan-summed. */
    static double[] linearRegression(long[] ts, double[] v, int lo, int hi, long interceptTime) {
        double n = 0;
        KahanSum sumX = new KahanSum();
        KahanSum sumY = new KahanSum();
        KahanSum sumXY = new KahanSum();
        KahanSum sumX2 = new KahanSum();
        double initY = v[lo];
        boolean constY = true;
        for (int i = lo; i < hi; i++) {
            if (constY && i > lo && v[i] != initY) {
                constY = false;
            }
            n++;
            double x = (ts[i] - interceptTime) / 1e3;
            sumX.add(x);
            sumY.add(v[i]);
            sumXY.add(x * v[i]);
            sumX2.add(x * x);
        }
        if (constY) {
            if (Double.isInfinite(initY)) {
                return new double[] {Double.NaN, Double.NaN};
            }
            return new double[] {0, initY};
        }
        double sx = sumX.value();
        double sy = sumY.value();
        double covXY = sumXY.value() - sx * sy / n;
        double varX = sumX2.value() - sx * sx / n;
        double slope = covXY / varX;
        return new double[] {slope, sy / n - slope * sx / n};
    }

    private static double tsOfExtreme(long[] ts, double[] v, int lo, int hi, boolean max) {
        double m = v[lo];
        long t = ts[lo];
        for (int i = lo + 1; i < hi; i++) {
            boolean better = max ? v[i] >= m : v[i] <= m;
            if (better || Double.isNaN(m)) {
                m = v[i];
                t = ts[i];
            }
        }
        return t / 1000.0;
    }

    private static double doubleExponentialSmoothing(long[] ts, double[] v, int lo, int hi, long end, long range,
                                                     long evalTime, double sf, double tf) {
        if (!(sf > 0 && sf < 1)) {
            throw new PromqlException(PromqlException.Kind.EXECUTION,
                    "invalid smoothing factor. Expected: 0 < sf < 1, got: " + String.format("%f", sf));
        }
        if (!(tf > 0 && tf < 1)) {
            throw new PromqlException(PromqlException.Kind.EXECUTION,
                    "invalid trend factor. Expected: 0 < tf < 1, got: " + String.format("%f", tf));
        }
        int n = hi - lo;
        if (n < 2) {
            return Absent.VALUE;
        }
        double s0 = 0;
        double s1 = v[lo];
        double b = v[lo + 1] - v[lo];
        for (int i = 1; i < n; i++) {
            double x = sf * v[lo + i];
            if (i > 1) {
                b = tf * (s1 - s0) + (1 - tf) * b;
            }
            double y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
        }
        return s1;
    }
}
