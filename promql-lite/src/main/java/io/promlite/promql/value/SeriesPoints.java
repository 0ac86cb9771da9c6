package io.promlite.promql.value;

import io.promlite.tsdb.model.Labels;

/**
 * One series of a matrix: {@code count} points held in primitive arrays (which may be longer
 * than {@code count}), so a long range result costs no object per point.
 */
public record SeriesPoints(Labels metric, long[] timestampsMs, double[] values, int count) {
}
