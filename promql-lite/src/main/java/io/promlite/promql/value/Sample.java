package io.promlite.promql.value;

import io.promlite.tsdb.model.Labels;

/** One element of an instant vector. */
public record Sample(Labels metric, long timestampMs, double value) {
}
