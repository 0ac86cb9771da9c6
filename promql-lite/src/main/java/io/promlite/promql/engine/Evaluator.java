package io.promlite.promql.engine;

import io.promlite.promql.PromqlException;
import io.promlite.promql.engine.EvalResult.Ranges;
import io.promlite.promql.engine.EvalResult.Scalars;
import io.promlite.promql.engine.EvalResult.Str;
import io.promlite.promql.engine.EvalResult.Vectors;
import io.promlite.promql.functions.Absent;
import io.promlite.promql.parser.Expr.Aggregate;
import io.promlite.promql.parser.Expr.At;
import io.promlite.promql.parser.Expr.Binary;
import io.promlite.promql.parser.Expr.Call;
import io.promlite.promql.parser.Expr.MatrixSelector;
import io.promlite.promql.parser.Expr.Negation;
import io.promlite.promql.parser.Expr.NumberLiteral;
import io.promlite.promql.parser.Expr.Paren;
import io.promlite.promql.parser.Expr.StringLiteral;
import io.promlite.promql.parser.Expr.Subquery;
import io.promlite.promql.parser.Expr.VectorSelector;
import io.promlite.promql.parser.Expr;
import io.promlite.promql.functions.RangeFunctions;
import io.promlite.tsdb.Querier;
import io.promlite.tsdb.Queryable;
import io.promlite.tsdb.SampleIterator;
import io.promlite.tsdb.Series;
import io.promlite.tsdb.SeriesSet;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.model.StaleNaN;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Evaluates an expression at every step of one time grid ({@code start, start+interval, …, end})
 * in a single pass: each node yields all its steps at once, so a selector reads each series once
 * for the whole range rather than once per step. Subqueries run a child evaluator on their own grid.
 */
final class Evaluator {
    /** Prometheus's default global evaluation interval, used by subqueries without a step. */
    static final long DEFAULT_SUBQUERY_STEP_MS = 60_000;

    /** How many source series an aggregation reads per batch (see {@link #evalInBatches}). */
    static final int BATCH_SERIES = 512;

    final QueryContext ctx;
    final int steps;
    final long[] times;
    /** While {@link #evalInBatches} runs: the selector read a batch at a time. */
    private SelectorBatches batches;

    Evaluator(QueryContext ctx, long start, long end, long interval) {
        this.ctx = ctx;
        long n = interval <= 0 ? 1 : (end - start) / interval + 1;
        // Every node holds one slot per step: a grid that alone passes the limit cannot be evaluated.
        ctx.checkFits(n);
        this.steps = (int) n;
        this.times = new long[steps];
        for (int i = 0; i < steps; i++) {
            times[i] = start + i * interval;
        }
    }

    EvalResult eval(Expr e) {
        ctx.checkDeadline();
        long before = ctx.currentSamples();
        EvalResult r = evalNode(e);
        ctx.setCurrentSamples(before + r.points());
        return r;
    }

    private EvalResult evalNode(Expr e) {
        if (e instanceof NumberLiteral n) {
            double[] v = new double[steps];
            Arrays.fill(v, n.value());
            return new Scalars(v);
        }
        if (e instanceof StringLiteral s) {
            return new Str(s.value());
        }
        if (e instanceof Paren p) {
            return eval(p.expr());
        }
        if (e instanceof Negation n) {
            return negate(eval(n.expr()));
        }
        if (e instanceof VectorSelector vs) {
            return selectVector(vs, SampleField.VALUE);
        }
        if (e instanceof MatrixSelector ms) {
            return selectRange(ms);
        }
        if (e instanceof Subquery sq) {
            return subquery(sq);
        }
        if (e instanceof Binary b) {
            return BinaryOps.eval(this, b);
        }
        if (e instanceof Aggregate a) {
            return Aggregations.eval(this, a);
        }
        if (e instanceof Call c) {
            return FunctionCalls.eval(this, c);
        }
        throw new IllegalStateException("unknown node " + e);
    }

    private EvalResult negate(EvalResult r) {
        if (r instanceof Scalars s) {
            double[] v = new double[steps];
            for (int i = 0; i < steps; i++) {
                v[i] = -s.values()[i];
            }
            return new Scalars(v);
        }
        List<StepSeries> out = new ArrayList<>();
        for (StepSeries s : ((Vectors) r).series()) {
            double[] v = new double[steps];
            for (int i = 0; i < steps; i++) {
                v[i] = Absent.is(s.values[i]) ? Absent.VALUE : -s.values[i];
            }
            out.add(nameDropped(s.labels, v));
        }
        return new Vectors(mergeDropped(out));
    }

    /**
     * A result series whose value no longer measures what its name says: its name (and type and
     * unit) is dropped now, or under delayed name removal kept and marked for removal at the end.
     */
    StepSeries nameDropped(Labels labels, double[] values) {
        return ctx.delayNameRemoval ? new StepSeries(labels, values, true)
                : new StepSeries(MetricIdentity.drop(labels), values);
    }

    /** Merges series whose labels became equal by dropping names; marked series still differ by name. */
    List<StepSeries> mergeDropped(List<StepSeries> out) {
        return ctx.delayNameRemoval ? out : mergeSameLabels(out);
    }

    /**
     * Removes the names of the series marked for removal from a query's final result, then merges
     * series that became equal (at the same step that is the duplicate-labelset error).
     */
    static EvalResult removeMarkedNames(EvalResult r) {
        if (r instanceof Vectors v && v.series().stream().anyMatch(s -> s.dropName)) {
            List<StepSeries> out = new ArrayList<>(v.series().size());
            for (StepSeries s : v.series()) {
                out.add(s.dropName ? new StepSeries(MetricIdentity.drop(s.labels), s.values) : s);
            }
            return new Vectors(mergeSameLabels(out));
        }
        if (r instanceof Ranges m && m.series().stream().anyMatch(s -> s.dropName)) {
            Map<Labels, List<RangeSeries>> byLabels = new LinkedHashMap<>();
            for (RangeSeries s : m.series()) {
                Labels l = s.dropName ? MetricIdentity.drop(s.labels) : s.labels;
                byLabels.computeIfAbsent(l, k -> new ArrayList<>()).add(s);
            }
            List<RangeSeries> out = new ArrayList<>(byLabels.size());
            byLabels.forEach((l, parts) -> out.add(mergeRanges(l, parts)));
            return new Ranges(out, m.windowEnds(), m.rangeMs(), m.mode(), m.lookbackMs());
        }
        return r;
    }

    /**
     * One series from parts with equal labels, their samples (each part in time order) merged in
     * time order; two samples at the same timestamp are the duplicate-labelset error.
     */
    private static RangeSeries mergeRanges(Labels labels, List<RangeSeries> parts) {
        RangeSeries first = parts.get(0);
        long[] ts = first.ts;
        double[] vs = first.values;
        int n = first.count;
        for (RangeSeries s : parts.subList(1, parts.size())) {
            long[] mergedTs = new long[n + s.count];
            double[] mergedVs = new double[n + s.count];
            int i = 0;
            int j = 0;
            for (int k = 0; k < mergedTs.length; k++) {
                if (j == s.count || (i < n && ts[i] < s.ts[j])) {
                    mergedTs[k] = ts[i];
                    mergedVs[k] = vs[i++];
                } else {
                    if (i < n && ts[i] == s.ts[j]) {
                        throw duplicateLabelset();
                    }
                    mergedTs[k] = s.ts[j];
                    mergedVs[k] = s.values[j++];
                }
            }
            ts = mergedTs;
            vs = mergedVs;
            n = mergedTs.length;
        }
        return new RangeSeries(labels, ts, vs, n);
    }

    long resolveAt(At at, long stepTime) {
        if (at == null) {
            return stepTime;
        }
        return switch (at.kind()) {
            case TIMESTAMP -> at.timestampMs();
            case START -> ctx.queryStartMs;
            case END -> ctx.queryEndMs;
        };
    }

    /** The reference time of each step after {@code @} and offset. Non-decreasing. */
    long[] referenceTimes(At at, long offsetMs) {
        long[] r = new long[steps];
        for (int i = 0; i < steps; i++) {
            r[i] = resolveAt(at, times[i]) - offsetMs;
        }
        return r;
    }

    /** What an instant-vector selection yields for each chosen sample. */
    enum SampleField {
        VALUE,
        /** The sample's time in seconds (timestamp()). */
        TIMESTAMP,
        /** The sample's start timestamp in seconds, 0 for a sample without one (start_timestamp()). */
        START_TIMESTAMP
    }

    /** Instant-vector selection yielding {@code field} of the sample chosen at each step. */
    EvalResult selectVector(VectorSelector vs, SampleField field) {
        if (vs.mode() == Expr.SelectorMode.SMOOTHED && field == SampleField.VALUE) {
            return selectSmoothed(vs);
        }
        long lookback = ctx.lookbackMs;
        boolean readStart = field == SampleField.START_TIMESTAMP;
        return selectSteps(vs, 0, (it, refs, values) -> {
            boolean any = false;
            boolean has = it.next();
            long lastT = Long.MIN_VALUE;
            long lastSt = 0;
            double lastV = 0;
            for (int i = 0; i < steps; i++) {
                long t = refs[i];
                while (has && it.timestamp() <= t) {
                    lastT = it.timestamp();
                    if (readStart) {
                        lastSt = it.startTimestamp();
                    }
                    lastV = it.value();
                    has = it.next();
                }
                if (lastT != Long.MIN_VALUE && lastT > t - lookback && !StaleNaN.is(lastV)) {
                    values[i] = switch (field) {
                        case VALUE -> canonical(lastV);
                        case TIMESTAMP -> lastT / 1000.0;
                        case START_TIMESTAMP -> lastSt / 1000.0;
                    };
                    any = true;
                }
            }
            return any;
        });
    }

    /** Fills one series' value at each step from its samples; returns whether any step has one. */
    @FunctionalInterface
    private interface StepFiller {
        boolean fill(SampleIterator it, long[] refs, double[] values);
    }

    /**
     * The frame shared by instant selectors: one read of each matching series over all steps,
     * {@code lookAheadMs} past the last step for selectors that look forward.
     */
    private Vectors selectSteps(VectorSelector vs, long lookAheadMs, StepFiller filler) {
        long[] refs = referenceTimes(vs.at(), vs.offsetMs());
        List<StepSeries> out = new ArrayList<>();
        long before = ctx.currentSamples();
        try (Selection sel = select(vs, refs[0] - ctx.lookbackMs + 1, refs[steps - 1] + lookAheadMs)) {
            SeriesSet set = sel.set();
            while (set.next()) {
                ctx.checkDeadline();
                Series series = set.at();
                double[] values = Absent.newArray(steps);
                if (filler.fill(series.iterator(), refs, values)) {
                    ctx.addSamples(steps);
                    out.add(new StepSeries(series.labels(), values));
                }
            }
        }
        ctx.setCurrentSamples(before);
        return new Vectors(out);
    }

    private Ranges selectRange(MatrixSelector ms) {
        VectorSelector vs = ms.selector();
        long[] ends = referenceTimes(vs.at(), vs.offsetMs());
        Ranges shape = new Ranges(List.of(), ends, ms.rangeMs(), vs.mode(), ctx.lookbackMs);
        long mint = shape.lowerExclusive(0);
        long maxt = shape.upperInclusive(steps - 1);
        List<RangeSeries> out = new ArrayList<>();
        // Samples are read into buffers shared by the selector's series, then each series keeps
        // an exact copy: one allocation per series rather than one per doubling.
        long[] ts = new long[16];
        double[] vals = new double[16];
        long[] sts = null;
        try (Selection sel = select(vs, mint + 1, maxt)) {
            SeriesSet set = sel.set();
            while (set.next()) {
                ctx.checkDeadline();
                Series series = set.at();
                SampleIterator it = series.iterator();
                int n = 0;
                boolean anyStart = false;
                if (it.seek(mint + 1)) {
                    do {
                        long t = it.timestamp();
                        if (t > maxt) {
                            break;
                        }
                        double v = it.value();
                        if (StaleNaN.is(v)) {
                            continue;
                        }
                        if (n == ts.length) {
                            // One long series fails the limit before its buffer doubles past it.
                            ctx.checkFits(n);
                            ts = Arrays.copyOf(ts, n * 2);
                            vals = Arrays.copyOf(vals, n * 2);
                        }
                        long st = it.startTimestamp();
                        if (st != 0 || anyStart) {
                            // Start timestamps are kept only for series that have any.
                            if (sts == null || sts.length < ts.length) {
                                sts = sts == null ? new long[ts.length] : Arrays.copyOf(sts, ts.length);
                            }
                            if (!anyStart) {
                                Arrays.fill(sts, 0, n, 0);
                                anyStart = true;
                            }
                            sts[n] = st;
                        }
                        ts[n] = t;
                        vals[n] = canonical(v);
                        n++;
                    } while (it.next());
                }
                if (n > 0) {
                    // Every sample held counts against the limit, as in Prometheus's matrix selector.
                    ctx.addSamples(n);
                    out.add(new RangeSeries(series.labels(), Arrays.copyOf(ts, n), Arrays.copyOf(vals, n), n, false,
                            anyStart ? Arrays.copyOf(sts, n) : null));
                }
            }
        }
        return new Ranges(out, ends, ms.rangeMs(), vs.mode(), ctx.lookbackMs);
    }

    /** A selector's series and the querier to close after reading them (null when not this read's own). */
    private record Selection(SeriesSet set, Querier owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned != null) {
                owned.close();
            }
        }
    }

    /** The series of {@code vs} in {@code [mint, maxt]}: all of them, or the next batch while it is read in batches. */
    private Selection select(VectorSelector vs, long mint, long maxt) {
        if (batches != null && batches.selector == vs) {
            return new Selection(batches.next(ctx.storage, mint, maxt), null);
        }
        Querier q = ctx.storage.querier(mint, maxt);
        try {
            return new Selection(q.select(vs.matchers()), q);
        } catch (RuntimeException e) {
            q.close();
            throw e;
        }
    }

    /**
     * The selector an expression's every output series is computed from one series of alone, so
     * that the expression can be evaluated a batch of the selector's series at a time with the
     * same result; null when it is not such an expression. These are a plain instant selector and
     * a range function over a plain range selector of one metric name: the function drops the
     * name, and series of one name stay distinct without it, so no batch can collide with another.
     */
    static VectorSelector batchSource(Expr e) {
        if (e instanceof Paren p) {
            return batchSource(p.expr());
        }
        if (e instanceof VectorSelector vs) {
            return vs.mode() == Expr.SelectorMode.PLAIN ? vs : null;
        }
        if (e instanceof Call c && c.args().size() == 1 && c.args().get(0) instanceof MatrixSelector ms
                && RangeFunctions.byName(c.function().name()) != null
                && !c.function().name().equals("absent_over_time")
                && ms.selector().mode() == Expr.SelectorMode.PLAIN && namesOneMetric(ms.selector())) {
            return ms.selector();
        }
        return null;
    }

    private static boolean namesOneMetric(VectorSelector vs) {
        for (Matcher m : vs.matchers()) {
            if (m.name().equals(Labels.METRIC_NAME) && m.type() == Matcher.Type.EQUAL) {
                return true;
            }
        }
        return false;
    }

    /**
     * Evaluates {@code e} (see {@link #batchSource}) a batch of {@code source}'s series at a time,
     * handing each batch's result to {@code sink} in series order. An aggregation folds the batches
     * as they come, so the selector's samples and the per-series results are never all held at
     * once. The samples count is kept as if every batch's result were still held, as when the
     * input is evaluated whole.
     */
    void evalInBatches(Expr e, VectorSelector source, Consumer<List<StepSeries>> sink) {
        SelectorBatches outer = batches;
        SelectorBatches b = new SelectorBatches(source, BATCH_SERIES);
        batches = b;
        try {
            long held = ctx.currentSamples();
            do {
                ctx.setCurrentSamples(held);
                List<StepSeries> batch = ((Vectors) eval(e)).series();
                held = ctx.currentSamples();
                sink.accept(batch);
            } while (b.more());
        } finally {
            batches = outer;
            b.close();
        }
    }

    /** One selector's series, handed out {@code size} at a time from a single select. */
    private static final class SelectorBatches implements AutoCloseable {
        final VectorSelector selector;
        private final int size;
        private Querier querier;
        private SeriesSet all;
        private boolean exhausted;

        SelectorBatches(VectorSelector selector, int size) {
            this.selector = selector;
            this.size = size;
        }

        /** The next batch; the select runs on the first call, with that call's range. */
        SeriesSet next(Queryable storage, long mint, long maxt) {
            if (all == null) {
                querier = storage.querier(mint, maxt);
                all = querier.select(selector.matchers());
            }
            return new SeriesSet() {
                private int taken;

                @Override
                public boolean next() {
                    if (taken == size || exhausted) {
                        return false;
                    }
                    if (!all.next()) {
                        exhausted = true;
                        return false;
                    }
                    taken++;
                    return true;
                }

                @Override
                public Series at() {
                    return all.at();
                }
            };
        }

        /** Whether series may remain: the selector was read, and not to its end. */
        boolean more() {
            return all != null && !exhausted;
        }

        @Override
        public void close() {
            if (querier != null) {
                querier.close();
            }
        }
    }

    /**
     * A smoothed instant selector: the value at each step is interpolated linearly between the
     * last sample at or before it and the first one after it (both within the lookback delta).
     */
    private Vectors selectSmoothed(VectorSelector vs) {
        long lookback = ctx.lookbackMs;
        return selectSteps(vs, lookback, (it, refs, values) -> {
            long[] ts = new long[16];
            double[] vals = new double[16];
            int n = 0;
            while (it.next()) {
                if (n == ts.length) {
                    ts = Arrays.copyOf(ts, n * 2);
                    vals = Arrays.copyOf(vals, n * 2);
                    ctx.addSamples(n);
                }
                ts[n] = it.timestamp();
                vals[n++] = it.value();
            }
            boolean any = false;
            int next = 0;
            for (int i = 0; i < steps; i++) {
                long t = refs[i];
                while (next < n && ts[next] <= t) {
                    next++;
                }
                int prev = next - 1;
                if (prev < 0 || ts[prev] <= t - lookback || StaleNaN.is(vals[prev])) {
                    continue;
                }
                double v = canonical(vals[prev]);
                if (ts[prev] < t && next < n && ts[next] < t + lookback && !StaleNaN.is(vals[next])) {
                    double w = (double) (t - ts[prev]) / (ts[next] - ts[prev]);
                    v = v + (canonical(vals[next]) - v) * w;
                }
                values[i] = v;
                any = true;
            }
            return any;
        });
    }

    private Ranges subquery(Subquery sq) {
        long step = sq.stepMs() > 0 ? sq.stepMs() : DEFAULT_SUBQUERY_STEP_MS;
        long[] ends = referenceTimes(sq.at(), sq.offsetMs());
        long from = ends[0] - sq.rangeMs();
        long childStart = step * (from / step);
        if (childStart <= from) {
            childStart += step;
        }
        long childEnd = ends[steps - 1];
        List<RangeSeries> out = new ArrayList<>();
        if (childStart <= childEnd) {
            Evaluator child = new Evaluator(ctx, childStart, childEnd, step);
            EvalResult inner = child.eval(sq.expr());
            for (StepSeries s : ((Vectors) inner).series()) {
                out.add(s.presentPoints(child.times));
            }
        }
        return new Ranges(out, ends, sq.rangeMs());
    }

    /** Storage may hold NaNs with any payload; only one NaN may flow through evaluation. */
    static double canonical(double v) {
        return v != v ? Double.NaN : v;
    }

    /**
     * Merges series that ended up with equal labels (e.g. after dropping {@code __name__}); two of
     * them having a value at the same step is Prometheus's duplicate-labelset error.
     */
    static List<StepSeries> mergeSameLabels(List<StepSeries> in) {
        if (in.size() < 2) {
            return in;
        }
        Map<Labels, StepSeries> byLabels = new HashMap<>(in.size() * 2);
        List<StepSeries> out = new ArrayList<>(in.size());
        for (StepSeries s : in) {
            StepSeries prev = byLabels.putIfAbsent(s.labels, s);
            if (prev == null) {
                out.add(s);
                continue;
            }
            for (int i = 0; i < s.values.length; i++) {
                if (Absent.is(s.values[i])) {
                    continue;
                }
                if (!Absent.is(prev.values[i])) {
                    throw duplicateLabelset();
                }
                prev.values[i] = s.values[i];
            }
        }
        return out;
    }

    static PromqlException duplicateLabelset() {
        return new PromqlException(PromqlException.Kind.EXECUTION,
                "vector cannot contain metrics with the same labelset");
    }
}
