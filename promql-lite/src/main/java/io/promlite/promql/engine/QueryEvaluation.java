package io.promlite.promql.engine;

import io.promlite.promql.Annotations;
import io.promlite.promql.engine.EvalResult.Ranges;
import io.promlite.promql.engine.EvalResult.Scalars;
import io.promlite.promql.engine.EvalResult.Str;
import io.promlite.promql.engine.EvalResult.Vectors;
import io.promlite.promql.functions.Absent;
import io.promlite.promql.parser.Expr;
import io.promlite.promql.parser.Expr.VectorSelector;
import io.promlite.promql.value.Matrix;
import io.promlite.promql.value.Sample;
import io.promlite.promql.value.Scalar;
import io.promlite.promql.value.SeriesPoints;
import io.promlite.promql.value.StringValue;
import io.promlite.promql.value.Value;
import io.promlite.promql.value.Vector;
import io.promlite.tsdb.Queryable;
import io.promlite.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Runs one parsed query and shapes the evaluator's step arrays into the public result values. */
public final class QueryEvaluation {
    private final Queryable storage;
    private final long lookbackMs;
    private final long timeoutNanos;
    private final long maxSamples;
    private final boolean delayedNameRemoval;
    private final Annotations annotations;

    /** Annotations raised while evaluating go to {@code annotations}. */
    public QueryEvaluation(Queryable storage, long lookbackMs, long timeoutNanos, long maxSamples,
                           boolean delayedNameRemoval, Annotations annotations) {
        this.delayedNameRemoval = delayedNameRemoval;
        this.annotations = annotations;
        this.storage = storage;
        this.lookbackMs = lookbackMs;
        this.timeoutNanos = timeoutNanos;
        this.maxSamples = maxSamples;
    }

    public Value instant(Expr expr, long timeMs) {
        QueryContext ctx = new QueryContext(storage, lookbackMs, timeoutNanos, maxSamples, timeMs, timeMs, 0,
                delayedNameRemoval, annotations);
        EvalResult r = Evaluator.removeMarkedNames(new Evaluator(ctx, timeMs, timeMs, 0).eval(expr));
        if (r instanceof Scalars s) {
            return new Scalar(timeMs, s.values()[0]);
        }
        if (r instanceof Str s) {
            return new StringValue(timeMs, s.value());
        }
        if (r instanceof Vectors v) {
            List<Sample> samples = new ArrayList<>(v.series().size());
            for (StepSeries s : v.series()) {
                if (!Absent.is(s.values[0])) {
                    samples.add(new Sample(s.labels, timeMs, s.values[0]));
                }
            }
            return new Vector(samples);
        }
        Ranges m = (Ranges) r;
        List<SeriesPoints> out = new ArrayList<>(m.series().size());
        for (RangeSeries s : m.series()) {
            int lo = 0;
            while (lo < s.count && s.ts[lo] <= m.lowerExclusive(0)) {
                lo++;
            }
            int hi = lo;
            while (hi < s.count && s.ts[hi] <= m.upperInclusive(0)) {
                hi++;
            }
            if (hi > lo) {
                out.add(new SeriesPoints(s.labels, Arrays.copyOfRange(s.ts, lo, hi),
                        Arrays.copyOfRange(s.values, lo, hi), hi - lo));
            }
        }
        out.sort(Comparator.comparing(SeriesPoints::metric));
        return new Matrix(out);
    }

    public Value range(Expr expr, long startMs, long endMs, long stepMs) {
        QueryContext ctx = new QueryContext(storage, lookbackMs, timeoutNanos, maxSamples, startMs, endMs, stepMs,
                delayedNameRemoval, annotations);
        Evaluator ev = new Evaluator(ctx, startMs, endMs, stepMs);
        EvalResult r = Evaluator.removeMarkedNames(evalWhole(ev, expr));
        List<SeriesPoints> out = new ArrayList<>();
        if (r instanceof Scalars s) {
            out.add(new SeriesPoints(Labels.EMPTY, ev.times.clone(), s.values().clone(), ev.steps));
        } else {
            for (StepSeries s : ((Vectors) r).series()) {
                RangeSeries p = s.presentPoints(ev.times);
                if (p.count > 0) {
                    out.add(new SeriesPoints(p.labels, p.ts, p.values, p.count));
                }
            }
            out.sort(Comparator.comparing(SeriesPoints::metric));
        }
        return new Matrix(out);
    }

    /**
     * Evaluates a query's expression; one computed series by series from a selector (as
     * {@code rate(x[1m])}) goes a batch of the selector's series at a time, so the samples read
     * for one batch are garbage before the next is read rather than all held until the end.
     */
    private static EvalResult evalWhole(Evaluator ev, Expr expr) {
        VectorSelector source = Evaluator.batchSource(expr);
        if (source == null || expr instanceof VectorSelector) {
            return ev.eval(expr);
        }
        List<StepSeries> out = new ArrayList<>();
        ev.evalInBatches(expr, source, out::addAll);
        return new Vectors(out);
    }
}
