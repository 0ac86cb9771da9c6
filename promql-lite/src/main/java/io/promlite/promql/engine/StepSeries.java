package io.promlite.promql.engine;

import io.promlite.promql.functions.Absent;
import io.promlite.tsdb.model.Labels;

/** One series of an instant-vector result across all evaluation steps; absent steps hold {@link Absent#VALUE}. */
final class StepSeries {
    final Labels labels;
    final double[] values;

    StepSeries(Labels labels, double[] values) {
        this.labels = labels;
        this.values = values;
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
}
