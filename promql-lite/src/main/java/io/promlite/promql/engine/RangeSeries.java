package io.promlite.promql.engine;

import io.promlite.tsdb.model.Labels;

/**
 * The raw samples of one series of a range vector, in time order, in primitive arrays; with
 * their start timestamps (0: none) when a selector read any, else {@code st} is null.
 */
final class RangeSeries {
    final Labels labels;
    final long[] ts;
    final double[] values;
    final int count;
    final long[] st;
    /** Marked for name removal (a subquery over a name-dropping expression). */
    final boolean dropName;

    RangeSeries(Labels labels, long[] ts, double[] values, int count) {
        this(labels, ts, values, count, false, null);
    }

    RangeSeries(Labels labels, long[] ts, double[] values, int count, boolean dropName) {
        this(labels, ts, values, count, dropName, null);
    }

    RangeSeries(Labels labels, long[] ts, double[] values, int count, boolean dropName, long[] st) {
        this.st = st;
        this.labels = labels;
        this.ts = ts;
        this.values = values;
        this.count = count;
        this.dropName = dropName;
    }
}
