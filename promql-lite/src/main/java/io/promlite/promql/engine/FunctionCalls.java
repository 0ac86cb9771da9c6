package io.promlite.promql.engine;

import io.promlite.promql.PromqlException;
import io.promlite.promql.engine.EvalResult.Ranges;
import io.promlite.promql.engine.EvalResult.Scalars;
import io.promlite.promql.engine.EvalResult.Str;
import io.promlite.promql.engine.EvalResult.Vectors;
import io.promlite.promql.functions.Absent;
import io.promlite.promql.functions.ElementFunctions;
import io.promlite.promql.functions.GoStrings;
import io.promlite.promql.functions.Histograms;
import io.promlite.promql.functions.MathFunctions;
import io.promlite.promql.functions.RangeFunctions;
import io.promlite.promql.parser.Expr.Call;
import io.promlite.promql.parser.Expr.MatrixSelector;
import io.promlite.promql.parser.Expr.Paren;
import io.promlite.promql.parser.Expr.SelectorMode;
import io.promlite.promql.parser.Expr.VectorSelector;
import io.promlite.promql.parser.Expr;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Evaluates function calls over all steps. */
final class FunctionCalls {
    private FunctionCalls() {
    }

    static EvalResult eval(Evaluator ev, Call c) {
        String name = c.function().name();
        List<Expr> args = c.args();
        RangeFunctions.Fn rangeFn = RangeFunctions.byName(name);
        if (name.equals("absent_over_time")) {
            return absentOverTime(ev, (Ranges) ev.eval(args.get(0)), args.get(0));
        }
        if (rangeFn != null) {
            return overRange(ev, name, rangeFn, args);
        }
        DoubleUnaryOperator elementFn = ElementFunctions.byName(name);
        if (elementFn != null) {
            if (args.isEmpty()) {
                // Date functions without an argument read the evaluation time.
                double[] v = new double[ev.steps];
                for (int i = 0; i < ev.steps; i++) {
                    v[i] = elementFn.applyAsDouble(ev.times[i] / 1000.0);
                }
                return new Vectors(List.of(new StepSeries(Labels.EMPTY, v)));
            }
            return mapValues(ev, vector(ev, args.get(0)), (x, i) -> elementFn.applyAsDouble(x), true);
        }
        switch (name) {
            case "time" -> {
                double[] v = new double[ev.steps];
                for (int i = 0; i < ev.steps; i++) {
                    v[i] = ev.times[i] / 1000.0;
                }
                return new Scalars(v);
            }
            case "pi" -> {
                return constant(ev, Math.PI);
            }
            case "step" -> {
                return constant(ev, ev.ctx.queryStepMs / 1000.0);
            }
            case "range" -> {
                return constant(ev, (ev.ctx.queryEndMs - ev.ctx.queryStartMs) / 1000.0);
            }
            case "start" -> {
                return constant(ev, ev.ctx.queryStartMs / 1000.0);
            }
            case "end" -> {
                return constant(ev, ev.ctx.queryEndMs / 1000.0);
            }
            case "min_of", "max_of" -> {
                double[] a = scalar(ev, args.get(0));
                double[] b = scalar(ev, args.get(1));
                double[] v = new double[ev.steps];
                for (int i = 0; i < ev.steps; i++) {
                    v[i] = name.equals("min_of") ? Math.min(a[i], b[i]) : Math.max(a[i], b[i]);
                }
                return new Scalars(v);
            }
            case "vector" -> {
                return new Vectors(List.of(new StepSeries(Labels.EMPTY, scalar(ev, args.get(0)).clone())));
            }
            case "scalar" -> {
                double[] out = new double[ev.steps];
                Arrays.fill(out, Double.NaN);
                int[] counts = new int[ev.steps];
                for (StepSeries s : vector(ev, args.get(0))) {
                    for (int i = 0; i < ev.steps; i++) {
                        if (!Absent.is(s.values[i])) {
                            counts[i]++;
                            out[i] = counts[i] == 1 ? s.values[i] : Double.NaN;
                        }
                    }
                }
                return new Scalars(out);
            }
            case "clamp", "clamp_min", "clamp_max" -> {
                List<StepSeries> in = vector(ev, args.get(0));
                double[] a = scalar(ev, args.get(1));
                double[] b = args.size() > 2 ? scalar(ev, args.get(2)) : null;
                return mapValues(ev, in, (x, i) -> switch (name) {
                    case "clamp_min" -> Math.max(a[i], x);
                    case "clamp_max" -> Math.min(a[i], x);
                    default -> b[i] < a[i] ? Absent.VALUE : Math.max(a[i], Math.min(b[i], x));
                }, true);
            }
            case "round" -> {
                List<StepSeries> in = vector(ev, args.get(0));
                double[] to = args.size() > 1 ? scalar(ev, args.get(1)) : null;
                return mapValues(ev, in, (x, i) -> {
                    double inv = 1.0 / (to == null ? 1 : to[i]);
                    return Math.floor(x * inv + 0.5) / inv;
                }, true);
            }
            case "timestamp" -> {
                return timestamp(ev, args.get(0));
            }
            case "start_timestamp" -> {
                return startTimestamp(ev, args.get(0));
            }
            case "absent" -> {
                return absent(ev, vector(ev, args.get(0)), args.get(0));
            }
            case "sort", "sort_desc" -> {
                warnIfRangeSort(ev, c);
                List<StepSeries> in = new ArrayList<>(vector(ev, args.get(0)));
                if (ev.steps == 1) {
                    Comparator<StepSeries> byValue = (x, y) -> Double.compare(x.values[0], y.values[0]);
                    in.sort(name.equals("sort") ? nanLast(byValue) : nanLast(byValue.reversed()));
                }
                return new Vectors(in);
            }
            case "sort_by_label", "sort_by_label_desc" -> {
                warnIfRangeSort(ev, c);
                List<StepSeries> in = new ArrayList<>(vector(ev, args.get(0)));
                List<String> labels = new ArrayList<>();
                for (int i = 1; i < args.size(); i++) {
                    labels.add(string(ev, args.get(i)));
                }
                Comparator<StepSeries> cmp = (x, y) -> {
                    for (String l : labels) {
                        int r = NaturalOrder.compare(x.labels.getOrEmpty(l), y.labels.getOrEmpty(l));
                        if (r != 0) {
                            return r;
                        }
                    }
                    return x.labels.compareTo(y.labels);
                };
                in.sort(name.equals("sort_by_label") ? cmp : cmp.reversed());
                return new Vectors(in);
            }
            case "label_replace" -> {
                return labelReplace(ev, args);
            }
            case "label_join" -> {
                return labelJoin(ev, args);
            }
            case "info" -> {
                return InfoFunction.eval(ev, args);
            }
            case "histogram_quantile" -> {
                double[] q = scalar(ev, args.get(0));
                warnInvalidQuantiles(ev, q, args.get(0));
                return new Vectors(histogramQuantile(ev, q, vector(ev, args.get(1)), args.get(1), null, null));
            }
            case "histogram_quantiles" -> {
                List<StepSeries> in = vector(ev, args.get(0));
                String label = string(ev, args.get(1));
                if (!GoStrings.isValidLabelName(label)) {
                    throw new PromqlException(PromqlException.Kind.EXECUTION,
                            "invalid label name \"" + GoStrings.quoteBody(label) + "\"");
                }
                List<StepSeries> out = new ArrayList<>();
                for (int i = 2; i < args.size(); i++) {
                    double[] q = scalar(ev, args.get(i));
                    warnInvalidQuantiles(ev, q, args.get(i));
                    out.addAll(histogramQuantile(ev, q, in, args.get(0), label, MathFunctions.formatOpenMetrics(q[0])));
                }
                return new Vectors(Evaluator.mergeSameLabels(out));
            }
            default -> throw new PromqlException(PromqlException.Kind.BAD_DATA,
                    "function \"" + name + "\" is not supported by promlite");
        }
    }

    private static Scalars constant(Evaluator ev, double value) {
        double[] v = new double[ev.steps];
        Arrays.fill(v, value);
        return new Scalars(v);
    }

    private static void warnIfRangeSort(Evaluator ev, Call c) {
        if (ev.steps > 1) {
            ev.ctx.annotations.warning("sort is ineffective for range queries since results are always ordered by labels",
                    c.pos());
        }
    }

    /** Prometheus warns (and still evaluates) when a quantile is NaN or outside [0, 1] at any step. */
    private static void warnInvalidQuantiles(Evaluator ev, double[] q, Expr arg) {
        for (double v : q) {
            if (Double.isNaN(v) || v < 0 || v > 1) {
                ev.ctx.annotations.warning(invalidQuantile(v), arg.pos());
            }
        }
    }

    static String invalidQuantile(double q) {
        return "quantile value should be between 0 and 1, got " + MathFunctions.formatG(q);
    }

    /**
     * Classic-bucket quantiles; with {@code label} set, each result also carries label=value.
     * Malformed buckets and repaired counts are annotated at {@code bucketsArg}.
     */
    private static List<StepSeries> histogramQuantile(Evaluator ev, double[] q, List<StepSeries> buckets,
                                                      Expr bucketsArg, String label, String value) {
        List<Histograms.Input> in = new ArrayList<>(buckets.size());
        for (StepSeries s : buckets) {
            in.add(new Histograms.Input(s.labels, s.values));
        }
        Histograms.Issues issues = new Histograms.Issues() {
            @Override
            public void badBucketLabel(Labels series) {
                ev.ctx.annotations.warning("bucket label \"le\" is missing or has a malformed value of \""
                        + GoStrings.quoteBody(series.getOrEmpty("le")) + "\"" + forMetricName(series), bucketsArg.pos());
            }

            @Override
            public void forcedMonotonicity() {
                // The bucket groups have lost their name by now, as in Prometheus without delayed name removal.
                ev.ctx.annotations.info("input to histogram_quantile needed to be fixed for monotonicity (see "
                        + "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)",
                        bucketsArg.pos());
            }
        };
        List<StepSeries> out = new ArrayList<>();
        for (Histograms.Input h : Histograms.quantile(q, in, ev.steps, issues)) {
            Labels l = MetricIdentity.drop(h.labels());
            out.add(new StepSeries(label == null ? l : l.toBuilder().set(label, value).build(), h.values()));
        }
        return Evaluator.mergeSameLabels(out);
    }

    private static Comparator<StepSeries> nanLast(Comparator<StepSeries> c) {
        return (x, y) -> {
            boolean xn = Double.isNaN(x.values[0]);
            boolean yn = Double.isNaN(y.values[0]);
            if (xn || yn) {
                return xn == yn ? 0 : xn ? 1 : -1;
            }
            return c.compare(x, y);
        };
    }

    static List<StepSeries> vector(Evaluator ev, Expr e) {
        return ((Vectors) ev.eval(e)).series();
    }

    static double[] scalar(Evaluator ev, Expr e) {
        return ((Scalars) ev.eval(e)).values();
    }

    static String string(Evaluator ev, Expr e) {
        return ((Str) ev.eval(e)).value();
    }

    @FunctionalInterface
    interface StepOp {
        double apply(double x, int step);
    }

    private static Vectors mapValues(Evaluator ev, List<StepSeries> in, StepOp op, boolean dropName) {
        List<StepSeries> out = new ArrayList<>(in.size());
        for (StepSeries s : in) {
            double[] v = Absent.newArray(ev.steps);
            boolean any = false;
            for (int i = 0; i < ev.steps; i++) {
                if (!Absent.is(s.values[i])) {
                    v[i] = op.apply(s.values[i], i);
                    any |= !Absent.is(v[i]);
                }
            }
            if (any) {
                out.add(dropName ? ev.nameDropped(s.labels, v) : new StepSeries(s.labels, v, s.dropName));
            }
        }
        return new Vectors(dropName ? ev.mergeDropped(out) : out);
    }

    private static String forMetricName(Labels series) {
        String name = series.metricName();
        return name == null || name.isEmpty() ? "" : " for metric name \"" + GoStrings.quoteBody(name) + "\"";
    }

    /** Whether rate/increase input looks like a counter by name, as Prometheus's info annotation judges it. */
    private static boolean counterLikeName(String name) {
        return name.endsWith("_total") || name.endsWith("_sum") || name.endsWith("_count") || name.endsWith("_bucket");
    }

    private static EvalResult overRange(Evaluator ev, String name, RangeFunctions.Fn fn, List<Expr> args) {
        double[] p1 = null;
        double[] p2 = null;
        Expr rangeArg;
        if (name.equals("quantile_over_time")) {
            p1 = scalar(ev, args.get(0));
            rangeArg = args.get(1);
        } else {
            rangeArg = args.get(0);
            if (args.size() > 1) {
                p1 = scalar(ev, args.get(1));
            }
            if (args.size() > 2) {
                p2 = scalar(ev, args.get(2));
            }
        }
        Ranges r = (Ranges) ev.eval(rangeArg);
        checkSelectorMode(name, r.mode());
        boolean keepName = name.equals("last_over_time") || name.equals("first_over_time");
        boolean extendedRate = r.mode() != SelectorMode.PLAIN
                && (name.equals("rate") || name.equals("increase") || name.equals("delta"));
        boolean smoothed = r.mode() == SelectorMode.SMOOTHED;
        boolean counterFunction = name.equals("rate") || name.equals("increase");
        boolean startTimeAware = r.mode() == SelectorMode.PLAIN && startTimeAware(name);
        boolean quantile = name.equals("quantile_over_time");
        List<StepSeries> out = new ArrayList<>(r.series().size());
        long[] ends = r.windowEnds();
        long range = r.rangeMs();
        long[] extTs = new long[0];
        double[] extV = new double[0];
        for (RangeSeries s : r.series()) {
            ev.ctx.checkDeadline();
            boolean overlapWarned = false;
            double[] v = Absent.newArray(ev.steps);
            boolean any = false;
            int lo = 0;
            int hi = 0;
            if (r.mode() != SelectorMode.PLAIN && extTs.length < s.count + 2) {
                extTs = new long[s.count + 2];
                extV = new double[s.count + 2];
            }
            for (int i = 0; i < ev.steps; i++) {
                long end = ends[i];
                long upper = r.upperInclusive(i);
                long lower = r.lowerExclusive(i);
                while (hi < s.count && s.ts[hi] <= upper) {
                    hi++;
                }
                while (lo < hi && s.ts[lo] <= lower) {
                    lo++;
                }
                if (lo == hi) {
                    continue;
                }
                double p1v = p1 == null ? 0 : p1[i];
                double p2v = p2 == null ? 0 : p2[i];
                if (quantile && (Double.isNaN(p1v) || p1v < 0 || p1v > 1)) {
                    ev.ctx.annotations.warning(invalidQuantile(p1v), args.get(0).pos());
                }
                if (startTimeAware && s.st != null) {
                    v[i] = withStartTimes(name, s, lo, hi, end, range);
                    if (counterFunction && !overlapWarned && RangeFunctions.startTimeOverlap(s.ts, s.st, lo, hi)) {
                        ev.ctx.annotations.warning("sample has start time that overlaps with previous sample timestamp"
                                + " for metric \"" + GoStrings.quoteBody(metricNameOrEmpty(s.labels)) + "\"",
                                rangeArg.pos());
                        overlapWarned = true;
                    }
                } else if (extendedRate) {
                    v[i] = RangeFunctions.extendedRate(s.ts, s.values, lo, hi, end - range, end, smoothed,
                            !name.equals("delta"), name.equals("rate"));
                } else if (r.mode() != SelectorMode.PLAIN) {
                    int n = RangeFunctions.extendWindow(s.ts, s.values, lo, hi, end - range, end, smoothed, extTs, extV);
                    if (n > 0) {
                        v[i] = fn.apply(extTs, extV, 0, n, end, range, ev.times[i], p1v, p2v);
                    }
                } else {
                    v[i] = fn.apply(s.ts, s.values, lo, hi, end, range, ev.times[i], p1v, p2v);
                }
                any |= !Absent.is(v[i]);
            }
            if (any) {
                // last/first_over_time keep the name, unless a subquery's series was already marked.
                out.add(keepName && !s.dropName ? new StepSeries(s.labels, v) : ev.nameDropped(s.labels, v));
                String metric = s.labels.metricName();
                if (counterFunction && metric != null && !metric.isEmpty() && !counterLikeName(metric)) {
                    ev.ctx.annotations.info("metric might not be a counter, name does not end in "
                            + "_total/_sum/_count/_bucket: \"" + GoStrings.quoteBody(metric) + "\"", rangeArg.pos());
                }
            }
        }
        return new Vectors(keepName ? out : ev.mergeDropped(out));
    }

    private static boolean startTimeAware(String function) {
        return switch (function) {
            case "rate", "increase", "irate", "resets" -> true;
            default -> false;
        };
    }

    /** The functions whose result a series' start timestamps change (counter ones), evaluated with them. */
    private static double withStartTimes(String function, RangeSeries s, int lo, int hi, long end, long range) {
        return switch (function) {
            case "rate" -> RangeFunctions.extrapolated(s.ts, s.values, s.st, lo, hi, end, range, true, true);
            case "increase" -> RangeFunctions.extrapolated(s.ts, s.values, s.st, lo, hi, end, range, true, false);
            case "irate" -> RangeFunctions.instant(s.ts, s.values, s.st, lo, hi, true);
            case "resets" -> RangeFunctions.resets(s.values, s.ts, s.st, lo, hi);
            default -> throw new IllegalArgumentException(function);
        };
    }

    private static String metricNameOrEmpty(Labels labels) {
        String name = labels.metricName();
        return name == null ? "" : name;
    }

    /** Prometheus allows the experimental selector modifiers only where their edge values make sense. */
    private static void checkSelectorMode(String function, SelectorMode mode) {
        if (mode == SelectorMode.SMOOTHED && !List.of("delta", "increase", "rate").contains(function)) {
            throw new PromqlException(PromqlException.Kind.EXECUTION,
                    "smoothed modifier can only be used with: delta, increase, rate - not with " + function);
        }
        if (mode == SelectorMode.ANCHORED
                && !List.of("changes", "delta", "increase", "rate", "resets").contains(function)) {
            throw new PromqlException(PromqlException.Kind.EXECUTION,
                    "anchored modifier can only be used with: changes, delta, increase, rate, resets - not with "
                            + function);
        }
    }

    private static Vectors timestamp(Evaluator ev, Expr arg) {
        Expr inner = arg;
        while (inner instanceof Paren p) {
            inner = p.expr();
        }
        if (inner instanceof VectorSelector vs) {
            return selectedField(ev, vs, Evaluator.SampleField.TIMESTAMP);
        }
        return mapValues(ev, vector(ev, arg), (x, i) -> ev.times[i] / 1000.0, true);
    }

    /** Start timestamps are read only from a selector's samples: any other expression has none, so no result. */
    private static Vectors startTimestamp(Evaluator ev, Expr arg) {
        Expr inner = arg;
        while (inner instanceof Paren p) {
            inner = p.expr();
        }
        if (!(inner instanceof VectorSelector vs)) {
            // Evaluated all the same, so its errors and annotations surface as for any argument.
            vector(ev, arg);
            return new Vectors(List.of());
        }
        return selectedField(ev, vs, Evaluator.SampleField.START_TIMESTAMP);
    }

    /** A selector's chosen samples' {@code field}, with the metric name dropped as for any function. */
    private static Vectors selectedField(Evaluator ev, VectorSelector vs, Evaluator.SampleField field) {
        List<StepSeries> in = ((Vectors) ev.selectVector(vs, field)).series();
        List<StepSeries> out = new ArrayList<>(in.size());
        for (StepSeries s : in) {
            out.add(ev.nameDropped(s.labels, s.values));
        }
        return new Vectors(ev.mergeDropped(out));
    }

    private static Vectors absent(Evaluator ev, List<StepSeries> in, Expr arg) {
        double[] v = new double[ev.steps];
        Arrays.fill(v, 1);
        boolean any = false;
        for (int i = 0; i < ev.steps; i++) {
            for (StepSeries s : in) {
                if (!Absent.is(s.values[i])) {
                    v[i] = Absent.VALUE;
                    break;
                }
            }
            any |= !Absent.is(v[i]);
        }
        return new Vectors(any ? List.of(new StepSeries(absentLabels(arg), v)) : List.of());
    }

    private static Vectors absentOverTime(Evaluator ev, Ranges r, Expr arg) {
        double[] v = new double[ev.steps];
        Arrays.fill(v, 1);
        boolean any = false;
        for (int i = 0; i < ev.steps; i++) {
            long upper = r.upperInclusive(i);
            for (RangeSeries s : r.series()) {
                int idx = Arrays.binarySearch(s.ts, 0, s.count, upper);
                int hi = idx >= 0 ? idx + 1 : -idx - 1;
                if (hi > 0 && s.ts[hi - 1] > r.lowerExclusive(i)) {
                    v[i] = Absent.VALUE;
                    break;
                }
            }
            any |= !Absent.is(v[i]);
        }
        return new Vectors(any ? List.of(new StepSeries(absentLabels(arg), v)) : List.of());
    }

    /** absent() reports the labels its selector pinned with {@code =}, unless pinned twice. */
    private static Labels absentLabels(Expr arg) {
        Expr inner = arg;
        while (inner instanceof Paren p) {
            inner = p.expr();
        }
        List<Matcher> matchers;
        if (inner instanceof VectorSelector vs) {
            matchers = vs.matchers();
        } else if (inner instanceof MatrixSelector ms) {
            matchers = ms.selector().matchers();
        } else {
            return Labels.EMPTY;
        }
        // A label pinned by one "=" matcher is reported; any other matcher on it removes it again.
        Labels.Builder b = Labels.builder();
        Set<String> has = new HashSet<>();
        for (Matcher m : matchers) {
            if (m.name().equals(Labels.METRIC_NAME)) {
                continue;
            }
            if (m.type() == Matcher.Type.EQUAL && has.add(m.name())) {
                b.set(m.name(), m.value());
            } else {
                b.delete(m.name());
            }
        }
        return b.build();
    }

    private static Vectors labelReplace(Evaluator ev, List<Expr> args) {
        List<StepSeries> in = vector(ev, args.get(0));
        String dst = string(ev, args.get(1));
        String replacement = string(ev, args.get(2));
        String src = string(ev, args.get(3));
        String regex = string(ev, args.get(4));
        Pattern p;
        try {
            // Go's named groups are spelled (?P<name>…); Java spells them (?<name>…).
            p = Pattern.compile("^(?s:" + regex.replace("(?P<", "(?<") + ")$");
        } catch (PatternSyntaxException e) {
            throw new PromqlException(PromqlException.Kind.EXECUTION,
                    "invalid regular expression in label_replace(): " + regex);
        }
        if (!GoStrings.isValidLabelName(dst)) {
            throw new PromqlException(PromqlException.Kind.EXECUTION,
                    "invalid destination label name in label_replace(): " + GoStrings.quoteBody(dst));
        }
        List<StepSeries> out = new ArrayList<>(in.size());
        for (StepSeries s : in) {
            java.util.regex.Matcher m = p.matcher(s.labels.getOrEmpty(src));
            if (!m.matches()) {
                out.add(s);
                continue;
            }
            String value = GoTemplate.expand(replacement, m);
            out.add(new StepSeries(s.labels.toBuilder().set(dst, value).build(), s.values.clone(),
                    s.dropName && !dst.equals(Labels.METRIC_NAME)));
        }
        return new Vectors(Evaluator.mergeSameLabels(out));
    }

    private static Vectors labelJoin(Evaluator ev, List<Expr> args) {
        List<StepSeries> in = vector(ev, args.get(0));
        String dst = string(ev, args.get(1));
        String sep = string(ev, args.get(2));
        List<String> srcs = new ArrayList<>();
        for (int i = 3; i < args.size(); i++) {
            srcs.add(string(ev, args.get(i)));
        }
        if (!GoStrings.isValidLabelName(dst)) {
            throw new PromqlException(PromqlException.Kind.EXECUTION,
                    "invalid destination label name in label_join(): " + GoStrings.quoteBody(dst));
        }
        List<StepSeries> out = new ArrayList<>(in.size());
        for (StepSeries s : in) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < srcs.size(); i++) {
                if (i > 0) {
                    sb.append(sep);
                }
                sb.append(s.labels.getOrEmpty(srcs.get(i)));
            }
            out.add(new StepSeries(s.labels.toBuilder().set(dst, sb.toString()).build(), s.values.clone(),
                    s.dropName && !dst.equals(Labels.METRIC_NAME)));
        }
        return new Vectors(Evaluator.mergeSameLabels(out));
    }
}
