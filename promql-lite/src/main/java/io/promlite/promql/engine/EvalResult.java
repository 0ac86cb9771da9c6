package io.promlite.promql.engine;

import io.promlite.promql.parser.Expr.SelectorMode;
import java.util.List;

/** What evaluating a node over the evaluator's steps produces. */
sealed interface EvalResult {
    /** Number of values held in memory, for the max-samples limit. */
    long points();

    record Scalars(double[] values) implements EvalResult {
        @Override
        public long points() {
            return values.length;
        }
    }

    /** Instant vectors at every step; each series holds one slot per step, present or not. */
    record Vectors(List<StepSeries> series) implements EvalResult {
        /** Counts slots rather than present values: the dense arrays occupy memory either way. */
        @Override
        public long points() {
            long n = 0;
            for (StepSeries s : series) {
                n += s.values.length;
            }
            return n;
        }
    }

    /**
     * A range vector: raw samples per series; step j reads the window ending at
     * {@code windowEnds[j]}, {@code rangeMs} long. With an anchored or smoothed selector the
     * samples also reach {@code lookbackMs} before the window (and, smoothed, after it), which
     * the functions need to find or interpolate the values at the edges.
     */
    record Ranges(List<RangeSeries> series, long[] windowEnds, long rangeMs, SelectorMode mode, long lookbackMs)
            implements EvalResult {
        Ranges(List<RangeSeries> series, long[] windowEnds, long rangeMs) {
            this(series, windowEnds, rangeMs, SelectorMode.PLAIN, 0);
        }

        @Override
        public long points() {
            long n = 0;
            for (RangeSeries s : series) {
                n += s.count;
            }
            return n;
        }

        /** Samples of step j have timestamps greater than this. */
        long lowerExclusive(int step) {
            long start = windowEnds[step] - rangeMs;
            return mode == SelectorMode.PLAIN ? start : start - lookbackMs;
        }

        /** Samples of step j have timestamps at most this. */
        long upperInclusive(int step) {
            return mode == SelectorMode.SMOOTHED ? windowEnds[step] + lookbackMs : windowEnds[step];
        }
    }

    record Str(String value) implements EvalResult {
        @Override
        public long points() {
            return 0;
        }
    }
}
