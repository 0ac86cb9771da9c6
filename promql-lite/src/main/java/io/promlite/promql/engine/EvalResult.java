package io.promlite.promql.engine;

import java.util.List;

/** What evaluating a node over the evaluator's steps produces. */
sealed interface EvalResult {
    /** Number of points held, for the max-samples limit. */
    long points();

    record Scalars(double[] values) implements EvalResult {
        @Override
        public long points() {
            return values.length;
        }
    }

    record Vectors(List<StepSeries> series) implements EvalResult {
        @Override
        public long points() {
            long n = 0;
            for (StepSeries s : series) {
                n += s.presentCount();
            }
            return n;
        }
    }

    /**
     * A range vector: raw samples per series, and for step j the window
     * {@code (windowEnds[j] - rangeMs, windowEnds[j]]}.
     */
    record Ranges(List<RangeSeries> series, long[] windowEnds, long rangeMs) implements EvalResult {
        @Override
        public long points() {
            long n = 0;
            for (RangeSeries s : series) {
                n += s.count;
            }
            return n;
        }
    }

    record Str(String value) implements EvalResult {
        @Override
        public long points() {
            return 0;
        }
    }
}
