package io.promlite.promql.engine;

import io.promlite.tsdb.model.Labels;

/** The raw samples of one series of a range vector, in time order, in primitive arrays. */
final class RangeSeries {
    final Labels labels;
    final long[] ts;
    final double[] values;
    final int count;

    RangeSeries(Labels labels, long[] ts, double[] values, int count) {
        this.labels = labels;
        this.ts = ts;
        this.values = values;
        this.count = count;
    }
}
