package io.promlite.promql.parser;

import java.util.Locale;

/** PromQL's aggregation operators; some take a parameter before the vector. */
public enum AggregateOp {
    SUM, AVG, COUNT, MIN, MAX, GROUP, STDDEV, STDVAR,
    TOPK(ValueType.SCALAR), BOTTOMK(ValueType.SCALAR), QUANTILE(ValueType.SCALAR),
    COUNT_VALUES(ValueType.STRING), LIMITK(ValueType.SCALAR), LIMIT_RATIO(ValueType.SCALAR);

    private final ValueType paramType;

    AggregateOp() {
        this(null);
    }

    AggregateOp(ValueType paramType) {
        this.paramType = paramType;
    }

    /** The type of the leading parameter, or null when the operator takes none. */
    public ValueType paramType() {
        return paramType;
    }

    public String symbol() {
        return name().toLowerCase(Locale.ROOT);
    }

    static AggregateOp byName(String lowerName) {
        for (AggregateOp op : values()) {
            if (op.symbol().equals(lowerName)) {
                return op;
            }
        }
        return null;
    }
}
