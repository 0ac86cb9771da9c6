package io.promlite.promql.engine;

import io.promlite.promql.PromqlException;
import io.promlite.promql.engine.EvalResult.Vectors;
import io.promlite.promql.functions.Absent;
import io.promlite.promql.parser.Expr.Aggregate;
import io.promlite.promql.parser.Expr.Binary;
import io.promlite.promql.parser.Expr.Call;
import io.promlite.promql.parser.Expr.MatrixSelector;
import io.promlite.promql.parser.Expr.Negation;
import io.promlite.promql.parser.Expr.Paren;
import io.promlite.promql.parser.Expr.Subquery;
import io.promlite.promql.parser.Expr.VectorSelector;
import io.promlite.promql.parser.Expr;
import io.promlite.tsdb.Querier;
import io.promlite.tsdb.SampleIterator;
import io.promlite.tsdb.Series;
import io.promlite.tsdb.SeriesSet;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.model.StaleNaN;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code info(v, {selector})}: adds data labels of info series (by default {@code target_info})
 * that share v's identifying labels ({@code instance}, {@code job}), as Prometheus's experimental
 * info function does. Info series are read as of the same (offset/@-shifted) time as v's data.
 */
final class InfoFunction {
    private static final List<String> IDENTIFYING = List.of("instance", "job");
    private static final String TARGET_INFO = "target_info";

    private InfoFunction() {
    }

    static Vectors eval(Evaluator ev, List<Expr> args) {
        List<StepSeries> base = FunctionCalls.vector(ev, args.get(0));
        Map<String, List<Matcher>> dataMatchers = new LinkedHashMap<>();
        List<Matcher> nameMatchers = new ArrayList<>();
        if (args.size() > 1) {
            for (Matcher m : ((VectorSelector) args.get(1)).matchers()) {
                dataMatchers.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(m);
                if (m.name().equals(Labels.METRIC_NAME)) {
                    nameMatchers.add(m);
                }
            }
        } else {
            nameMatchers.add(Matcher.equal(Labels.METRIC_NAME, TARGET_INFO));
        }
        // Info series are not enriched themselves; only positive name matchers say what an info series is.
        boolean positiveName = false;
        for (Matcher m : nameMatchers) {
            positiveName |= m.type() == Matcher.Type.EQUAL || m.type() == Matcher.Type.REGEX;
        }
        boolean[] ignored = new boolean[base.size()];
        Map<String, Set<String>> idValues = new LinkedHashMap<>();
        for (int k = 0; k < base.size(); k++) {
            Labels l = base.get(k).labels;
            ignored[k] = positiveName && allMatch(nameMatchers, l.getOrEmpty(Labels.METRIC_NAME));
            if (ignored[k]) {
                continue;
            }
            for (String id : IDENTIFYING) {
                String v = l.get(id);
                if (v != null) {
                    idValues.computeIfAbsent(id, x -> new TreeSet<>()).add(v);
                }
            }
        }
        List<Matcher> selectMatchers = new ArrayList<>();
        boolean hasName = dataMatchers.containsKey(Labels.METRIC_NAME);
        for (Map.Entry<String, Set<String>> e : idValues.entrySet()) {
            StringBuilder re = new StringBuilder();
            for (String v : e.getValue()) {
                if (re.length() > 0) {
                    re.append('|');
                }
                re.append(Pattern.quote(v));
            }
            selectMatchers.add(Matcher.of(Matcher.Type.REGEX, e.getKey(), re.toString()));
        }
        dataMatchers.values().forEach(selectMatchers::addAll);
        if (!hasName) {
            selectMatchers.add(0, Matcher.equal(Labels.METRIC_NAME, TARGET_INFO));
        } else if (!positiveName) {
            // Only exclusions were given: they narrow down the info metrics, named *_info by convention.
            selectMatchers.add(0, Matcher.of(Matcher.Type.REGEX, Labels.METRIC_NAME, ".+_info"));
        }
        dataMatchers.remove(Labels.METRIC_NAME);

        List<Labels> infoLabels = new ArrayList<>();
        List<long[]> infoTimes = new ArrayList<>();
        if (!idValues.isEmpty()) {
            selectInfo(ev, referenceTimes(ev, args.get(0)), selectMatchers, infoLabels, infoTimes);
        }
        return new Vectors(combine(ev, base, ignored, infoLabels, infoTimes, dataMatchers));
    }

    private static boolean allMatch(List<Matcher> matchers, String value) {
        for (Matcher m : matchers) {
            if (!m.matches(value)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The time each step's data was read at: the evaluation time shifted by the @ and offset
     * modifiers on the path to the first selector of {@code e}.
     */
    private static long[] referenceTimes(Evaluator ev, Expr e) {
        long[] t = ev.times.clone();
        Expr node = e;
        while (node != null) {
            if (node instanceof VectorSelector vs) {
                shift(ev, t, vs.at(), vs.offsetMs());
                return t;
            }
            if (node instanceof MatrixSelector ms) {
                shift(ev, t, ms.selector().at(), ms.selector().offsetMs());
                return t;
            }
            if (node instanceof Subquery sq) {
                shift(ev, t, sq.at(), sq.offsetMs());
                node = sq.expr();
            } else if (node instanceof Paren p) {
                node = p.expr();
            } else if (node instanceof Negation n) {
                node = n.expr();
            } else if (node instanceof Call c) {
                node = firstWithSelector(c.args());
            } else if (node instanceof Aggregate a) {
                node = a.expr();
            } else if (node instanceof Binary b) {
                node = firstWithSelector(List.of(b.lhs(), b.rhs()));
            } else {
                return t;
            }
        }
        return t;
    }

    private static Expr firstWithSelector(List<Expr> exprs) {
        for (Expr e : exprs) {
            if (e.type() != io.promlite.promql.parser.ValueType.STRING && !(e instanceof Expr.NumberLiteral)) {
                return e;
            }
        }
        return null;
    }

    private static void shift(Evaluator ev, long[] t, Expr.At at, long offset) {
        for (int i = 0; i < t.length; i++) {
            t[i] = ev.resolveAt(at, t[i]) - offset;
        }
    }

    /** Reads the info series' latest sample time at each reference time (within the lookback). */
    private static void selectInfo(Evaluator ev, long[] refs, List<Matcher> matchers, List<Labels> labels,
                                   List<long[]> times) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long r : refs) {
            min = Math.min(min, r);
            max = Math.max(max, r);
        }
        long lookback = ev.ctx.lookbackMs;
        try (Querier q = ev.ctx.storage.querier(min - lookback + 1, max)) {
            SeriesSet set = q.select(matchers);
            while (set.next()) {
                Series s = set.at();
                long[] ts = new long[refs.length];
                java.util.Arrays.fill(ts, Long.MIN_VALUE);
                // Reference times may go backwards (e.g. @ start() in a subquery); re-read per step then.
                for (int i = 0; i < refs.length; i++) {
                    SampleIterator it = s.iterator();
                    long lastT = Long.MIN_VALUE;
                    double lastV = 0;
                    if (it.seek(refs[i] - lookback + 1)) {
                        do {
                            if (it.timestamp() > refs[i]) {
                                break;
                            }
                            lastT = it.timestamp();
                            lastV = it.value();
                        } while (it.next());
                    }
                    if (lastT != Long.MIN_VALUE && !StaleNaN.is(lastV)) {
                        ts[i] = lastT;
                    }
                }
                labels.add(s.labels());
                times.add(ts);
            }
        }
    }

    private static String signature(String infoName, Labels l) {
        StringBuilder sb = new StringBuilder(infoName);
        for (String id : IDENTIFYING) {
            sb.append('\u0000').append(l.getOrEmpty(id));
        }
        return sb.toString();
    }

    private static List<StepSeries> combine(Evaluator ev, List<StepSeries> base, boolean[] ignored,
                                            List<Labels> infoLabels, List<long[]> infoTimes,
                                            Map<String, List<Matcher>> dataMatchers) {
        Set<String> infoNames = new LinkedHashSet<>();
        for (Labels l : infoLabels) {
            infoNames.add(l.metricName());
        }
        boolean allAcceptEmpty = true;
        for (List<Matcher> ms : dataMatchers.values()) {
            for (Matcher m : ms) {
                allAcceptEmpty &= m.matchesEmpty();
            }
        }
        Map<Labels, StepSeries> out = new LinkedHashMap<>();
        Map<String, Integer> bySig = new HashMap<>();
        for (int i = 0; i < ev.steps; i++) {
            ev.ctx.checkDeadline();
            bySig.clear();
            for (int k = 0; k < infoLabels.size(); k++) {
                long t = infoTimes.get(k)[i];
                if (t == Long.MIN_VALUE) {
                    continue;
                }
                String sig = signature(infoLabels.get(k).metricName(), infoLabels.get(k));
                Integer prev = bySig.get(sig);
                if (prev == null || infoTimes.get(prev)[i] < t) {
                    bySig.put(sig, k);
                } else if (infoTimes.get(prev)[i] == t) {
                    throw new PromqlException(PromqlException.Kind.EXECUTION, "found duplicate series for info metric: "
                            + "existing " + infoLabels.get(prev) + " @ " + t + ", new " + infoLabels.get(k) + " @ " + t);
                }
            }
            for (int k = 0; k < base.size(); k++) {
                StepSeries b = base.get(k);
                double v = b.values[i];
                if (Absent.is(v)) {
                    continue;
                }
                Labels result = ignored[k] ? b.labels : enrich(b.labels, infoNames, bySig, infoLabels, dataMatchers,
                        allAcceptEmpty);
                if (result == null) {
                    continue;
                }
                // The enriched series keeps the base series' mark for name removal.
                StepSeries s = out.computeIfAbsent(result, l -> new StepSeries(l, Absent.newArray(ev.steps), b.dropName));
                if (!Absent.is(s.values[i])) {
                    throw Evaluator.duplicateLabelset();
                }
                s.values[i] = v;
            }
        }
        return new ArrayList<>(out.values());
    }

    /** The base labels plus matching info series' data labels, or null when the sample is dropped. */
    private static Labels enrich(Labels base, Set<String> infoNames, Map<String, Integer> bySig,
                                 List<Labels> infoLabels, Map<String, List<Matcher>> dataMatchers,
                                 boolean allAcceptEmpty) {
        Labels.Builder added = Labels.builder();
        boolean matched = false;
        for (String name : infoNames) {
            Integer k = bySig.get(signature(name, base));
            if (k == null) {
                continue;
            }
            matched = true;
            Labels info = infoLabels.get(k);
            for (int j = 0; j < info.size(); j++) {
                String ln = info.name(j);
                if (ln.equals(Labels.METRIC_NAME) || (!dataMatchers.isEmpty() && !dataMatchers.containsKey(ln))) {
                    continue;
                }
                String existing = added.get(ln);
                if (existing != null && !existing.equals(info.value(j))) {
                    throw new PromqlException(PromqlException.Kind.EXECUTION, "conflicting label: " + ln);
                }
                if (!base.has(ln)) {
                    added.set(ln, info.value(j));
                }
            }
        }
        if (!matched && !allAcceptEmpty) {
            return null;
        }
        Labels.Builder b = base.toBuilder();
        added.build().forEach(b::set);
        return b.build();
    }
}
