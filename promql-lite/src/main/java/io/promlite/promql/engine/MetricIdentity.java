package io.promlite.promql.engine;

import io.promlite.tsdb.model.Labels;

/**
 * The labels naming what a series measures: {@code __name__} plus, when Prometheus's
 * type-and-unit labels are in use, {@code __type__} and {@code __unit__}. Operations that change
 * the meaning of a value (arithmetic, most functions) drop all of them together.
 */
final class MetricIdentity {
    static final String TYPE = "__type__";
    static final String UNIT = "__unit__";

    private MetricIdentity() {
    }

    static boolean isIdentityLabel(String name) {
        return name.equals(Labels.METRIC_NAME) || name.equals(TYPE) || name.equals(UNIT);
    }

    static Labels drop(Labels l) {
        if (!l.has(Labels.METRIC_NAME) && !l.has(TYPE) && !l.has(UNIT)) {
            return l;
        }
        return l.filter(name -> !isIdentityLabel(name));
    }

    static void drop(Labels.Builder b) {
        b.delete(Labels.METRIC_NAME);
        b.delete(TYPE);
        b.delete(UNIT);
    }
}
