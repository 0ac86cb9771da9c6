package io.promlite.promql.engine;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.promlite.promql.parser.Expr;
import io.promlite.promql.parser.Parser;
import org.junit.jupiter.api.Test;

/** Which aggregation inputs are read a batch of series at a time. */
class BatchSourceTest {
    private static Expr.Aggregate aggregate(String query) {
        return (Expr.Aggregate) Parser.parse(query);
    }

    @Test
    void selectorsAndRangeFunctionsOfOneMetricAreBatched() {
        Expr.Aggregate a = aggregate("sum by (job) (rate(x_total{job=\"a\"}[1m]))");
        Expr.MatrixSelector ms = (Expr.MatrixSelector) ((Expr.Call) a.expr()).args().get(0);
        assertSame(ms.selector(), Evaluator.batchSource(a.expr()));

        Expr.Aggregate count = aggregate("count(({__name__=~\".+\"}))");
        assertSame(((Expr.Paren) count.expr()).expr(), Evaluator.batchSource(count.expr()));

        Expr.Aggregate named = aggregate("max(max_over_time({__name__=\"g\", k=~\"a.*\"}[5m]))");
        assertSame(((Expr.MatrixSelector) ((Expr.Call) named.expr()).args().get(0)).selector(),
                Evaluator.batchSource(named.expr()));
    }

    @Test
    void inputsWhoseSeriesDependOnOtherSeriesAreNot() {
        // Series of several names collide once the function drops the names.
        assertNull(Evaluator.batchSource(aggregate("sum(rate({__name__=~\"a|b\"}[1m]))").expr()));
        // Binary operations, parameters, subqueries and absent_over_time see more than one series.
        assertNull(Evaluator.batchSource(aggregate("sum(x * 2)").expr()));
        assertNull(Evaluator.batchSource(aggregate("sum(quantile_over_time(0.5, x[1m]))").expr()));
        assertNull(Evaluator.batchSource(aggregate("sum(rate(x[5m:1m]))").expr()));
        assertNull(Evaluator.batchSource(aggregate("sum(absent_over_time(x[1m]))").expr()));
        assertNull(Evaluator.batchSource(aggregate("sum(sum by (a) (x))").expr()));
        // Anchored and smoothed selectors read beyond their windows: left to the whole evaluation.
        assertNull(Evaluator.batchSource(aggregate("sum(x smoothed)").expr()));
    }
}
