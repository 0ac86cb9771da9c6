package io.promlite.promql.engine;

import io.promlite.promql.PromqlException;
import io.promlite.promql.engine.EvalResult.Scalars;
import io.promlite.promql.engine.EvalResult.Str;
import io.promlite.promql.engine.EvalResult.Vectors;
import io.promlite.promql.functions.Absent;
import io.promlite.promql.functions.GoStrings;
import io.promlite.promql.functions.KahanSum;
import io.promlite.promql.functions.MathFunctions;
import io.promlite.promql.parser.AggregateOp;
import io.promlite.promql.parser.Expr.Aggregate;
import io.promlite.promql.parser.Expr.VectorSelector;
import io.promlite.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** The aggregation operators, evaluated per group and step over dense step arrays. */
final class Aggregations {
    private Aggregations() {
    }

    static EvalResult eval(Evaluator ev, Aggregate a) {
        double[] param = null;
        String label = null;
        if (a.param() != null) {
            EvalResult p = ev.eval(a.param());
            if (p instanceof Scalars s) {
                param = s.values();
            } else {
                label = ((Str) p).value();
            }
        }
        AggregateOp op = a.op();
        Set<String> grouping = new HashSet<>(a.grouping());
        if (RunningGroup.folds(op)) {
            return new Vectors(fold(ev, a, grouping));
        }
        Map<Labels, List<StepSeries>> groups = new LinkedHashMap<>();
        VectorSelector source = reducesValuesOnly(op) ? Evaluator.batchSource(a.expr()) : null;
        if (source != null) {
            // Only values and name marks take part: members keep no labels, and the input's
            // samples and labels go batch by batch instead of all being held until the end.
            ev.evalInBatches(a.expr(), source, batch -> {
                for (StepSeries s : batch) {
                    groups.computeIfAbsent(groupLabels(s.labels, grouping, a.without()), k -> new ArrayList<>())
                            .add(new StepSeries(Labels.EMPTY, s.values, s.dropName));
                }
            });
        } else {
            for (StepSeries s : ((Vectors) ev.eval(a.expr())).series()) {
                groups.computeIfAbsent(groupLabels(s.labels, grouping, a.without()), k -> new ArrayList<>()).add(s);
            }
        }
        if (op == AggregateOp.QUANTILE) {
            warnOutOfRange(ev, a, param, 0, 1, Aggregations::quantileWarning);
        } else if (op == AggregateOp.LIMIT_RATIO) {
            warnOutOfRange(ev, a, param, -1, 1, Aggregations::ratioWarning);
        }
        switch (op) {
            case TOPK, BOTTOMK, LIMITK, LIMIT_RATIO -> {
                return new Vectors(select(ev, op, param, groups));
            }
            case COUNT_VALUES -> {
                return new Vectors(countValues(ev, label, groups));
            }
            default -> {
                List<StepSeries> out = new ArrayList<>(groups.size());
                double[] buf = new double[16];
                for (Map.Entry<Labels, List<StepSeries>> g : groups.entrySet()) {
                    ev.ctx.checkDeadline();
                    List<StepSeries> members = g.getValue();
                    if (buf.length < members.size()) {
                        buf = new double[members.size()];
                    }
                    double[] values = Absent.newArray(ev.steps);
                    boolean any = false;
                    // As in Prometheus, the result is marked for name removal if any input present
                    // at its last step was marked (only matters when grouping by __name__).
                    boolean dropName = false;
                    for (int i = 0; i < ev.steps; i++) {
                        int n = 0;
                        boolean marked = false;
                        for (StepSeries m : members) {
                            double v = m.values[i];
                            if (!Absent.is(v)) {
                                buf[n++] = v;
                                marked |= m.dropName;
                            }
                        }
                        if (n > 0) {
                            values[i] = reduce(op, buf, n, param == null ? 0 : param[i]);
                            any = true;
                            dropName = marked;
                        }
                    }
                    if (any) {
                        out.add(new StepSeries(g.getKey(), values, dropName));
                    }
                }
                return new Vectors(out);
            }
        }
    }

    /** Whether the operator's result depends only on its members' values, not on their labels. */
    private static boolean reducesValuesOnly(AggregateOp op) {
        return switch (op) {
            case TOPK, BOTTOMK, LIMITK, LIMIT_RATIO, COUNT_VALUES -> false;
            default -> true;
        };
    }

    static Labels groupLabels(Labels l, Set<String> grouping, boolean without) {
        return without ? l.filter(name -> !grouping.contains(name) && !name.equals(Labels.METRIC_NAME))
                : l.filter(grouping::contains);
    }

    /** Reduces the {@code n} present values of one group at one step (the operators {@link #fold} leaves). */
    private static double reduce(AggregateOp op, double[] v, int n, double param) {
        switch (op) {
            case AVG -> {
                return MathFunctions.mean(v, 0, n);
            }
            case STDDEV -> {
                return Math.sqrt(MathFunctions.variance(v, 0, n));
            }
            case STDVAR -> {
                return MathFunctions.variance(v, 0, n);
            }
            case QUANTILE -> {
                return MathFunctions.quantile(param, v, n);
            }
            default -> throw new IllegalStateException(op.symbol());
        }
    }

    /**
     * sum, count, min, max and group, which need no member once it is added: each group keeps a
     * running result per step, so the input can go batch by batch (see {@link Evaluator#batchSource})
     * and is never held whole.
     */
    private static List<StepSeries> fold(Evaluator ev, Aggregate a, Set<String> grouping) {
        Map<Labels, RunningGroup> groups = new LinkedHashMap<>();
        Consumer<List<StepSeries>> add = batch -> {
            for (StepSeries s : batch) {
                groups.computeIfAbsent(groupLabels(s.labels, grouping, a.without()),
                        k -> new RunningGroup(a.op(), ev.steps)).add(s);
            }
        };
        VectorSelector source = Evaluator.batchSource(a.expr());
        if (source != null) {
            ev.evalInBatches(a.expr(), source, add);
        } else {
            add.accept(((Vectors) ev.eval(a.expr())).series());
        }
        List<StepSeries> out = new ArrayList<>(groups.size());
        for (Map.Entry<Labels, RunningGroup> g : groups.entrySet()) {
            ev.ctx.checkDeadline();
            StepSeries r = g.getValue().result(g.getKey());
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * One group's result so far at every step. Members are added in input order with the
     * arithmetic of a reduction over all of them at once: a compensated sum adding in order, min
     * and max keeping the first of equal values and replacing NaN by any number.
     */
    private static final class RunningGroup {
        private final AggregateOp op;
        private final int[] count;
        /** min or max so far. */
        private final double[] extreme;
        /** sum so far, compensated: its value is sums + compensations. */
        private final double[] sums;
        private final double[] compensations;
        /** Whether a member present at the step was marked for name removal. */
        private final boolean[] marked;

        RunningGroup(AggregateOp op, int steps) {
            this.op = op;
            this.count = new int[steps];
            this.extreme = op == AggregateOp.MIN || op == AggregateOp.MAX ? new double[steps] : null;
            this.sums = op == AggregateOp.SUM ? new double[steps] : null;
            this.compensations = op == AggregateOp.SUM ? new double[steps] : null;
            this.marked = new boolean[steps];
        }

        static boolean folds(AggregateOp op) {
            return switch (op) {
                case SUM, COUNT, MIN, MAX, GROUP -> true;
                default -> false;
            };
        }

        void add(StepSeries s) {
            for (int i = 0; i < count.length; i++) {
                double v = s.values[i];
                if (Absent.is(v)) {
                    continue;
                }
                marked[i] |= s.dropName;
                boolean first = count[i]++ == 0;
                switch (op) {
                    case SUM -> KahanSum.add(sums, compensations, i, v);
                    case MIN -> {
                        if (first || extreme[i] > v || Double.isNaN(extreme[i])) {
                            extreme[i] = v;
                        }
                    }
                    case MAX -> {
                        if (first || extreme[i] < v || Double.isNaN(extreme[i])) {
                            extreme[i] = v;
                        }
                    }
                    default -> { }
                }
            }
        }

        /**
         * The group's series, null when no member is present at any step. As in Prometheus, it is
         * marked for name removal if a member present at its last step was (only matters when
         * grouping by __name__).
         */
        StepSeries result(Labels labels) {
            double[] values = Absent.newArray(count.length);
            boolean any = false;
            boolean dropName = false;
            for (int i = 0; i < count.length; i++) {
                if (count[i] == 0) {
                    continue;
                }
                values[i] = switch (op) {
                    case SUM -> sums[i] + compensations[i];
                    case COUNT -> count[i];
                    case GROUP -> 1;
                    default -> extreme[i];
                };
                any = true;
                dropName = marked[i];
            }
            return any ? new StepSeries(labels, values, dropName) : null;
        }
    }

    private interface OutOfRangeWarning {
        String text(double value, double cappedTo);
    }

    private static String quantileWarning(double q, double cappedTo) {
        return FunctionCalls.invalidQuantile(q);
    }

    private static String ratioWarning(double ratio, double cappedTo) {
        return "ratio value should be between -1 and 1, got " + MathFunctions.formatG(ratio) + ", capping to "
                + MathFunctions.formatG(cappedTo);
    }

    /**
     * Like Prometheus, warns once for a NaN parameter (quantile only: limit_ratio fails on NaN),
     * once for the largest value above the range and once for the smallest below it.
     */
    private static void warnOutOfRange(Evaluator ev, Aggregate a, double[] param, double min, double max,
                                       OutOfRangeWarning warning) {
        boolean nan = false;
        double hi = Double.NEGATIVE_INFINITY;
        double lo = Double.POSITIVE_INFINITY;
        for (double p : param) {
            if (Double.isNaN(p)) {
                nan = true;
            } else {
                hi = Math.max(hi, p);
                lo = Math.min(lo, p);
            }
        }
        int pos = a.param().pos();
        if (nan && a.op() == AggregateOp.QUANTILE) {
            ev.ctx.annotations.warning(warning.text(Double.NaN, Double.NaN), pos);
        }
        if (hi > max) {
            ev.ctx.annotations.warning(warning.text(hi, max), pos);
        }
        if (lo < min) {
            ev.ctx.annotations.warning(warning.text(lo, min), pos);
        }
    }

    /** topk, bottomk, limitk and limit_ratio keep input series (with their names) at the steps they win. */
    private static List<StepSeries> select(Evaluator ev, AggregateOp op, double[] param,
                                           Map<Labels, List<StepSeries>> groups) {
        List<StepSeries> all = new ArrayList<>();
        Map<StepSeries, double[]> outputs = new LinkedHashMap<>();
        for (int i = 0; i < ev.steps; i++) {
            double p = param[i];
            if (Double.isNaN(p)) {
                throw new PromqlException(PromqlException.Kind.EXECUTION,
                        op == AggregateOp.LIMIT_RATIO ? "Ratio value is NaN" : "Parameter value is NaN");
            }
            for (List<StepSeries> members : groups.values()) {
                List<StepSeries> chosen;
                switch (op) {
                    case TOPK, BOTTOMK -> chosen = ranked(members, clampK(p), i, op == AggregateOp.TOPK);
                    case LIMITK -> chosen = firstPresent(members, clampK(p), i);
                    default -> {
                        double ratio = Math.max(-1, Math.min(1, p));
                        chosen = new ArrayList<>();
                        for (StepSeries m : members) {
                            if (Absent.is(m.values[i])) {
                                continue;
                            }
                            double r = ratioSample(m.labels);
                            if ((ratio >= 0 && r < ratio) || (ratio < 0 && r >= 1 + ratio)) {
                                chosen.add(m);
                            }
                        }
                    }
                }
                for (StepSeries m : chosen) {
                    outputs.computeIfAbsent(m, k -> {
                        all.add(m);
                        return Absent.newArray(ev.steps);
                    })[i] = m.values[i];
                }
            }
        }
        List<StepSeries> out = new ArrayList<>(all.size());
        for (StepSeries m : all) {
            out.add(new StepSeries(m.labels, outputs.get(m), m.dropName));
        }
        return out;
    }

    /**
     * The k best of the members present at {@code step} (highest for topk, lowest for bottomk), chosen
     * exactly as Prometheus's engine chooses them so that ties go to the same series: a binary heap of
     * up to k members with the worst on top, which a later member replaces only when strictly better
     * (NaN counts as worst). The heap is then ordered best first as Go's sort.Sort orders it.
     */
    private static List<StepSeries> ranked(List<StepSeries> members, long k, int step, boolean top) {
        int cap = (int) Math.min(k, members.size());
        if (cap == 0) {
            return List.of();
        }
        StepSeries[] heap = new StepSeries[cap];
        int n = 0;
        // Members absent at this step are skipped here rather than filtered into a list first:
        // the heap sees the present ones in the same order either way.
        for (StepSeries m : members) {
            double v = m.values[step];
            if (Absent.is(v)) {
                continue;
            }
            if (n < cap) {
                heap[n] = m;
                siftUp(heap, n, step, top);
                n++;
            } else if (better(v, heap[0].values[step], top)) {
                heap[0] = m;
                if (cap > 1) {
                    siftDown(heap, 0, n, step, top);
                }
            }
        }
        sortBestFirst(heap, n, step, top);
        return Arrays.asList(heap).subList(0, n);
    }

    /** limitk: the first {@code k} members present at {@code step}, in input order. */
    private static List<StepSeries> firstPresent(List<StepSeries> members, long k, int step) {
        List<StepSeries> chosen = new ArrayList<>();
        for (StepSeries m : members) {
            if (chosen.size() == k) {
                break;
            }
            if (!Absent.is(m.values[step])) {
                chosen.add(m);
            }
        }
        return chosen;
    }

    /** Whether {@code v} replaces the heap's top {@code worst}: strictly better, or a number over NaN. */
    private static boolean better(double v, double worst, boolean top) {
        if (Double.isNaN(worst)) {
            return !Double.isNaN(v);
        }
        return top ? worst < v : worst > v;
    }

    /** The heap order: NaN sorts before everything (so it is evicted first), then worst before best. */
    private static boolean heapLess(StepSeries[] h, int i, int j, int step, boolean top) {
        double a = h[i].values[step];
        double b = h[j].values[step];
        if (Double.isNaN(a)) {
            return true;
        }
        return top ? a < b : a > b;
    }

    private static void siftUp(StepSeries[] h, int j, int step, boolean top) {
        while (j > 0) {
            int parent = (j - 1) / 2;
            if (!heapLess(h, j, parent, step, top)) {
                break;
            }
            swap(h, parent, j);
            j = parent;
        }
    }

    private static void siftDown(StepSeries[] h, int i, int n, int step, boolean top) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && heapLess(h, child + 1, child, step, top)) {
                child++;
            }
            if (!heapLess(h, child, i, step, top)) {
                break;
            }
            swap(h, i, child);
            i = child;
        }
    }

    /**
     * Reverses the heap order in place. Go's sort.Sort insertion-sorts up to 12 elements, which
     * keeps equal values in heap order; beyond that a stable sort stands in for its pdqsort.
     */
    private static void sortBestFirst(StepSeries[] h, int n, int step, boolean top) {
        if (n <= 12) {
            for (int i = 1; i < n; i++) {
                for (int j = i; j > 0 && heapLess(h, j - 1, j, step, top); j--) {
                    swap(h, j, j - 1);
                }
            }
            return;
        }
        Arrays.sort(h, 0, n, (x, y) -> bestFirst(x.values[step], y.values[step], top));
    }

    private static void swap(StepSeries[] h, int i, int j) {
        StepSeries t = h[i];
        h[i] = h[j];
        h[j] = t;
    }

    private static long clampK(double p) {
        if (p < 1) {
            return 0;
        }
        return p >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) p;
    }

    /**
     * The heap order reversed as a total order: best first, NaN last. Values compare with
     * {@code <} as the heap's do, so -0 and 0 tie.
     */
    private static int bestFirst(double a, double b, boolean top) {
        boolean aNaN = Double.isNaN(a);
        boolean bNaN = Double.isNaN(b);
        if (aNaN || bNaN) {
            return Boolean.compare(aNaN, bNaN);
        }
        if (a == b) {
            return 0;
        }
        return (top ? a > b : a < b) ? -1 : 1;
    }

    /** A stable pseudo-random position in [0, 1) for a series, so limit_ratio samples consistently. */
    private static double ratioSample(Labels l) {
        long h = 0xcbf29ce484222325L;
        String s = l.toString();
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return (h >>> 11) * 0x1.0p-53;
    }

    private static List<StepSeries> countValues(Evaluator ev, String label, Map<Labels, List<StepSeries>> groups) {
        if (!GoStrings.isValidLabelName(label)) {
            throw new PromqlException(PromqlException.Kind.EXECUTION,
                    "invalid label name \"" + GoStrings.quoteBody(label) + "\"");
        }
        Map<Labels, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<Labels, List<StepSeries>> g : groups.entrySet()) {
            for (int i = 0; i < ev.steps; i++) {
                for (StepSeries m : g.getValue()) {
                    double v = m.values[i];
                    if (Absent.is(v)) {
                        continue;
                    }
                    Labels key = g.getKey().toBuilder().set(label, MathFunctions.formatValue(v)).build();
                    double[] arr = out.computeIfAbsent(key, k -> {
                        // Every distinct value is a new series: account for it before it can exhaust memory.
                        ev.ctx.addSamples(ev.steps);
                        return Absent.newArray(ev.steps);
                    });
                    arr[i] = Absent.is(arr[i]) ? 1 : arr[i] + 1;
                }
            }
        }
        // Sorted so that a consumer breaking ties by input order sees the same order at every step.
        List<StepSeries> res = new ArrayList<>(out.size());
        out.forEach((l, v) -> res.add(new StepSeries(l, v)));
        res.sort((a, b) -> a.labels.compareTo(b.labels));
        return res;
    }

    static boolean isValidLabelName(String name) {
        return !name.isEmpty() && !name.contains("\uFFFD");
    }
}
