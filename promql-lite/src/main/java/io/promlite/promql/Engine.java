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
        return instantQuery(query, timeMs).value();
    }

    /** Evaluates {@code query} at every step from start to end: always a Matrix, series sorted by labels. */
    public Value range(String query, long startMs, long endMs, long stepMs) {
        return rangeQuery(query, startMs, endMs, stepMs).value();
    }

    /** {@link #instant} with the query's annotations. */
    public QueryResult instantQuery(String query, long timeMs) {
        Expr expr = Parser.parse(query, 0, 0);
        Annotations annotations = new Annotations();
        Value v = evaluation(annotations).instant(expr, timeMs);
        return new QueryResult(v, annotations.warnings(query), annotations.infos(query));
    }

    /** {@link #range} with the query's annotations. */
    public QueryResult rangeQuery(String query, long startMs, long endMs, long stepMs) {
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
        Annotations annotations = new Annotations();
        Value v = evaluation(annotations).range(expr, startMs, endMs, stepMs);
        return new QueryResult(v, annotations.warnings(query), annotations.infos(query));
    }

    private QueryEvaluation evaluation(Annotations annotations) {
        return new QueryEvaluation(storage, options.lookbackDelta().toMillis(), options.timeout().toNanos(),
                options.maxSamples(), options.delayedNameRemoval(), annotations);
    }
}
