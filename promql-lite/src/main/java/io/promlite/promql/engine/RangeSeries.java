package io.promlite.promql.engine;

import io.promlite.tsdb.model.Labels;

/** The raw samples of one series of a range vector, in time order, in primitive arrays. */
final class RangeSeries {
    final Labels labels;
    final long[] ts;
    final double[] values;
    final int count;
    /** Marked for name removal (a subquery over a name-dropping expression). */
    final boolean dropName;

    RangeSeries(Labels labels, long[] ts, double[] values, int count) {
        this(labels, ts, values, count, false);
    }

    RangeSeries(Labels labels, long[] ts, double[] values, int count, boolean dropName) {
        this.labels = labels;
        this.ts = ts;
        this.values = values;
        this.count = count;
        this.dropName = dropName;
    }
}
