package io.promlite.promql.engine;

import io.promlite.promql.functions.Absent;
import io.promlite.tsdb.model.Labels;

/** One series of an instant-vector result across all evaluation steps; absent steps hold {@link Absent#VALUE}. */
final class StepSeries {
    final Labels labels;
    final double[] values;
    /** Marked by a name-dropping operation under delayed name removal: the name goes at the end. */
    final boolean dropName;

    StepSeries(Labels labels, double[] values) {
        this(labels, values, false);
    }

    StepSeries(Labels labels, double[] values, boolean dropName) {
        this.labels = labels;
        this.values = values;
        this.dropName = dropName;
    }

    int presentCount() {
        int n = 0;
        for (double v : values) {
            if (!Absent.is(v)) {
                n++;
            }
        }
        return n;
    }

    /** The present values with their step times ({@code times}, one per step), keeping the mark. */
    RangeSeries presentPoints(long[] times) {
        int n = presentCount();
        long[] ts = new long[n];
        double[] vals = new double[n];
        int k = 0;
        for (int i = 0; i < values.length; i++) {
            if (!Absent.is(values[i])) {
                ts[k] = times[i];
                vals[k++] = values[i];
            }
        }
        return new RangeSeries(labels, ts, vals, n, dropName);
    }
}
