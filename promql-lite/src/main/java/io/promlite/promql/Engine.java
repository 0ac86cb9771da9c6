package io.promlite.promql;

import io.promlite.promql.engine.QueryEvaluation;
import io.promlite.promql.parser.Expr;
import io.promlite.promql.parser.Parser;
import io.promlite.promql.parser.ValueType;
import io.promlite.promql.value.Value;
import io.promlite.tsdb.Queryable;
import java.util.Objects;

/** Parses and evaluates PromQL against a storage. Thread-safe; each call is independent. */
public final class Engine {
    private final Queryable storage;
    private final EngineOptions options;

    public Engine(Queryable storage, EngineOptions options) {
        this.storage = Objects.requireNonNull(storage);
        this.options = Objects.requireNonNull(options);
    }

    /** Evaluates {@code query} at {@code timeMs}: a Vector, Scalar, StringValue or (for range vectors) Matrix. */
    public Value instant(String query, long timeMs) {
        Expr expr = Parser.parse(query, 0, 0);
        return evaluation().instant(expr, timeMs);
    }

    /** Evaluates {@code query} at every step from start to end: always a Matrix, series sorted by labels. */
    public Value range(String query, long startMs, long endMs, long stepMs) {
        Expr expr = Parser.parse(query, stepMs, endMs - startMs);
        if (expr.type() != ValueType.SCALAR && expr.type() != ValueType.VECTOR) {
            throw new PromqlException(PromqlException.Kind.BAD_DATA, "invalid expression type \""
                    + expr.type().description() + "\" for range query, must be Scalar or instant Vector");
        }
        if (stepMs <= 0) {
            throw new PromqlException(PromqlException.Kind.BAD_DATA,
                    "zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        if (endMs < startMs) {
            throw new PromqlException(PromqlException.Kind.BAD_DATA, "end timestamp must not be before start time");
        }
        return evaluation().range(expr, startMs, endMs, stepMs);
    }

    private QueryEvaluation evaluation() {
        return new QueryEvaluation(storage, options.lookbackDelta().toMillis(), options.timeout().toNanos(),
                options.maxSamples());
    }
}
