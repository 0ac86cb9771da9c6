package io.promlite.promql.engine;

import io.promlite.promql.PromqlException;
import io.promlite.promql.engine.EvalResult.Scalars;
import io.promlite.promql.engine.EvalResult.Vectors;
import io.promlite.promql.functions.Absent;
import io.promlite.promql.parser.BinaryOp;
import io.promlite.promql.parser.Expr.Binary;
import io.promlite.promql.parser.Expr.VectorMatching.Cardinality;
import io.promlite.promql.parser.Expr.VectorMatching;
import io.promlite.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Binary operators: scalar/scalar, vector/scalar and vector/vector with label matching. */
final class BinaryOps {
    private BinaryOps() {
    }

    static EvalResult eval(Evaluator ev, Binary b) {
        EvalResult l = ev.eval(b.lhs());
        EvalResult r = ev.eval(b.rhs());
        BinaryOp op = b.op();
        if (l instanceof Scalars ls && r instanceof Scalars rs) {
            double[] out = new double[ev.steps];
            for (int i = 0; i < ev.steps; i++) {
                double v = apply(op, ls.values()[i], rs.values()[i]);
                out[i] = op.isComparison() ? (compare(op, ls.values()[i], rs.values()[i]) ? 1 : 0) : v;
            }
            return new Scalars(out);
        }
        if (l instanceof Scalars ls) {
            return vectorScalar(ev, b, ((Vectors) r).series(), ls.values(), true);
        }
        if (r instanceof Scalars rs) {
            return vectorScalar(ev, b, ((Vectors) l).series(), rs.values(), false);
        }
        List<StepSeries> lhs = ((Vectors) l).series();
        List<StepSeries> rhs = ((Vectors) r).series();
        VectorMatching m = b.matching() != null ? b.matching() : VectorMatching.DEFAULT;
        return switch (op) {
            case AND, UNLESS -> new Vectors(andUnless(ev, lhs, rhs, m, op == BinaryOp.AND));
            case OR -> new Vectors(or(ev, lhs, rhs, m));
            default -> new Vectors(vectorVector(ev, b, lhs, rhs, m));
        };
    }

    private static boolean dropsName(BinaryOp op, boolean returnBool) {
        return returnBool || !op.isComparison();
    }

    private static Vectors vectorScalar(Evaluator ev, Binary b, List<StepSeries> vec, double[] scalar,
                                        boolean scalarLeft) {
        BinaryOp op = b.op();
        List<StepSeries> out = new ArrayList<>(vec.size());
        for (StepSeries s : vec) {
            double[] v = Absent.newArray(ev.steps);
            boolean any = false;
            for (int i = 0; i < ev.steps; i++) {
                double x = s.values[i];
                if (Absent.is(x)) {
                    continue;
                }
                double lv = scalarLeft ? scalar[i] : x;
                double rv = scalarLeft ? x : scalar[i];
                if (op.isComparison()) {
                    boolean keep = compare(op, lv, rv);
                    if (b.returnBool()) {
                        v[i] = keep ? 1 : 0;
                    } else if (keep) {
                        v[i] = x;
                    } else {
                        continue;
                    }
                } else {
                    v[i] = apply(op, lv, rv);
                }
                any = true;
            }
            if (any) {
                out.add(dropsName(op, b.returnBool()) ? ev.nameDropped(s.labels, v)
                        : new StepSeries(s.labels, v, s.dropName));
            }
        }
        return new Vectors(dropsName(op, b.returnBool()) ? ev.mergeDropped(out) : out);
    }

    /** The labels two series are matched on. */
    private static Labels signature(Labels l, VectorMatching m) {
        Labels.Builder b = Labels.builder();
        if (m.on()) {
            for (String name : m.labels()) {
                b.set(name, l.get(name));
            }
        } else {
            // Without an explicit ignoring list the metric identity (name, type, unit) never takes
            // part; an explicit ignoring(...) leaves __type__/__unit__ in, as Prometheus does.
            Set<String> ignored = new HashSet<>(m.labels());
            boolean implicit = ignored.isEmpty();
            for (int i = 0; i < l.size(); i++) {
                String name = l.name(i);
                boolean identity = implicit ? MetricIdentity.isIdentityLabel(name) : name.equals(Labels.METRIC_NAME);
                if (!ignored.contains(name) && !identity) {
                    b.set(name, l.value(i));
                }
            }
        }
        return b.build();
    }

    /**
     * Both operands' match signatures numbered densely, so that per-step matching works on int
     * arrays (no hashing, no boxing); {@code byId} maps a number back to its labels.
     */
    private static final class Signatures {
        final int[] lhs;
        final int[] rhs;
        final List<Labels> byId = new ArrayList<>();

        Signatures(List<StepSeries> left, List<StepSeries> right, VectorMatching m) {
            Map<Labels, Integer> ids = new HashMap<>();
            lhs = number(left, m, ids);
            rhs = number(right, m, ids);
        }

        private int[] number(List<StepSeries> series, VectorMatching m, Map<Labels, Integer> ids) {
            int[] out = new int[series.size()];
            for (int k = 0; k < out.length; k++) {
                Labels sig = signature(series.get(k).labels, m);
                Integer id = ids.get(sig);
                if (id == null) {
                    id = byId.size();
                    ids.put(sig, id);
                    byId.add(sig);
                }
                out[k] = id;
            }
            return out;
        }

        int count() {
            return byId.size();
        }
    }

    private static List<StepSeries> andUnless(Evaluator ev, List<StepSeries> lhs, List<StepSeries> rhs,
                                              VectorMatching m, boolean and) {
        Signatures sigs = new Signatures(lhs, rhs, m);
        // presentAt[sig] == step + 1 marks a right-hand series with that signature at this step.
        int[] presentAt = new int[sigs.count()];
        double[][] values = new double[lhs.size()][];
        for (int i = 0; i < ev.steps; i++) {
            int mark = i + 1;
            for (int k = 0; k < rhs.size(); k++) {
                if (!Absent.is(rhs.get(k).values[i])) {
                    presentAt[sigs.rhs[k]] = mark;
                }
            }
            for (int k = 0; k < lhs.size(); k++) {
                double v = lhs.get(k).values[i];
                if (!Absent.is(v) && (presentAt[sigs.lhs[k]] == mark) == and) {
                    if (values[k] == null) {
                        values[k] = Absent.newArray(ev.steps);
                    }
                    values[k][i] = v;
                }
            }
        }
        List<StepSeries> out = new ArrayList<>();
        for (int k = 0; k < lhs.size(); k++) {
            if (values[k] != null) {
                out.add(new StepSeries(lhs.get(k).labels, values[k], lhs.get(k).dropName));
            }
        }
        return out;
    }

    private static List<StepSeries> or(Evaluator ev, List<StepSeries> lhs, List<StepSeries> rhs, VectorMatching m) {
        Signatures sigs = new Signatures(lhs, rhs, m);
        Map<Labels, double[]> out = new LinkedHashMap<>();
        // A series keeps the name-removal mark of the first operand series that produced it.
        Set<Labels> marked = new HashSet<>();
        for (StepSeries s : lhs) {
            if (s.dropName && !out.containsKey(s.labels)) {
                marked.add(s.labels);
            }
            double[] prev = out.putIfAbsent(s.labels, s.values.clone());
            if (prev != null) {
                mergeInto(prev, s.values);
            }
        }
        double[][] rhsOut = new double[rhs.size()][];
        int[] presentAt = new int[sigs.count()];
        for (int i = 0; i < ev.steps; i++) {
            int mark = i + 1;
            for (int k = 0; k < lhs.size(); k++) {
                if (!Absent.is(lhs.get(k).values[i])) {
                    presentAt[sigs.lhs[k]] = mark;
                }
            }
            for (int k = 0; k < rhs.size(); k++) {
                double v = rhs.get(k).values[i];
                if (Absent.is(v) || presentAt[sigs.rhs[k]] == mark) {
                    continue;
                }
                if (rhsOut[k] == null) {
                    StepSeries r = rhs.get(k);
                    rhsOut[k] = out.computeIfAbsent(r.labels, x -> {
                        if (r.dropName) {
                            marked.add(x);
                        }
                        return Absent.newArray(ev.steps);
                    });
                }
                if (!Absent.is(rhsOut[k][i])) {
                    throw Evaluator.duplicateLabelset();
                }
                rhsOut[k][i] = v;
            }
        }
        List<StepSeries> res = new ArrayList<>(out.size());
        out.forEach((l, v) -> res.add(new StepSeries(l, v, marked.contains(l))));
        return res;
    }

    private static void mergeInto(double[] target, double[] src) {
        for (int i = 0; i < src.length; i++) {
            if (!Absent.is(src[i])) {
                if (!Absent.is(target[i])) {
                    throw Evaluator.duplicateLabelset();
                }
                target[i] = src[i];
            }
        }
    }

    /**
     * Arithmetic and comparison between two vectors. Internally "many" is the side that may repeat
     * a match group (the left one unless group_right) and "one" the side that must not. The fill
     * modifiers are read the same way: fill_left stands in for a missing "many" series, fill_right
     * for a missing "one" series.
     */
    private static List<StepSeries> vectorVector(Evaluator ev, Binary b, List<StepSeries> lhs, List<StepSeries> rhs,
                                                 VectorMatching m) {
        Cardinality card = m.card();
        boolean swap = card == Cardinality.ONE_TO_MANY;
        List<StepSeries> one = swap ? lhs : rhs;
        List<StepSeries> many = swap ? rhs : lhs;
        Signatures sigs = new Signatures(lhs, rhs, m);
        int[] oneSigs = swap ? sigs.lhs : sigs.rhs;
        int[] manySigs = swap ? sigs.rhs : sigs.lhs;
        boolean fillMany = m.fillLeft() != null;
        boolean fillOne = m.fillRight() != null;
        double manyFill = fillMany ? m.fillLeft() : 0;
        double oneFill = fillOne ? m.fillRight() : 0;
        // Arithmetic drops the name right away even under delayed name removal, as Prometheus does;
        // a bool comparison only marks it then.
        boolean markName = b.returnBool() && ev.ctx.delayNameRemoval;
        boolean dropName = dropsName(b.op(), b.returnBool()) && !markName;
        Map<Labels, StepSeries> outputs = new LinkedHashMap<>();
        // Per-step state as "step + 1" marks, so nothing needs clearing between steps.
        int[] oneAt = new int[sigs.count()];
        int[] oneMark = new int[sigs.count()];
        int[] manyMatchedMark = new int[sigs.count()];
        int[] oneMatchedMark = new int[one.size()];
        // A many-side series usually meets the same one-side series at every step: cache its output.
        int[] cachedOne = new int[many.size()];
        java.util.Arrays.fill(cachedOne, Integer.MIN_VALUE);
        StepSeries[] cachedOut = new StepSeries[many.size()];
        StepSeries[] fillOut = new StepSeries[one.size()];
        for (int i = 0; i < ev.steps; i++) {
            ev.ctx.checkDeadline();
            int mark = i + 1;
            for (int k = 0; k < one.size(); k++) {
                if (Absent.is(one.get(k).values[i])) {
                    continue;
                }
                int sig = oneSigs[k];
                if (oneMark[sig] == mark) {
                    throw new PromqlException(PromqlException.Kind.EXECUTION, "found duplicate series for the match group "
                            + sigs.byId.get(sig) + " on the " + (swap ? "left" : "right") + " hand-side of the operation: ["
                            + one.get(oneAt[sig]).labels + ", " + one.get(k).labels + "];many-to-many matching not"
                            + " allowed: matching labels must be unique on one side");
                }
                oneMark[sig] = mark;
                oneAt[sig] = k;
            }
            for (int k = 0; k < many.size(); k++) {
                double mv = many.get(k).values[i];
                if (Absent.is(mv)) {
                    continue;
                }
                int sig = manySigs[k];
                int o = oneMark[sig] == mark ? oneAt[sig] : -1;
                if (o < 0 && !fillOne) {
                    continue;
                }
                if (o >= 0 && card == Cardinality.ONE_TO_ONE) {
                    if (manyMatchedMark[sig] == mark) {
                        throw new PromqlException(PromqlException.Kind.EXECUTION,
                                "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                    }
                    manyMatchedMark[sig] = mark;
                }
                double ov;
                if (o >= 0) {
                    oneMatchedMark[o] = mark;
                    ov = one.get(o).values[i];
                } else {
                    ov = oneFill;
                }
                if (cachedOne[k] != o) {
                    Labels result = resultMetric(many.get(k).labels, o < 0 ? Labels.EMPTY : one.get(o).labels, m, dropName);
                    cachedOut[k] = outputs.computeIfAbsent(result,
                            l -> new StepSeries(l, Absent.newArray(ev.steps), markName));
                    cachedOne[k] = o;
                }
                emit(b, card, cachedOut[k], i, swap ? ov : mv, swap ? mv : ov);
            }
            if (fillMany) {
                for (int o = 0; o < one.size(); o++) {
                    double ov = one.get(o).values[i];
                    if (Absent.is(ov) || oneMatchedMark[o] == mark) {
                        continue;
                    }
                    if (fillOut[o] == null) {
                        fillOut[o] = outputs.computeIfAbsent(sigs.byId.get(oneSigs[o]),
                                l -> new StepSeries(l, Absent.newArray(ev.steps), markName));
                    }
                    emit(b, card, fillOut[o], i, swap ? ov : manyFill, swap ? manyFill : ov);
                }
            }
        }
        List<StepSeries> res = new ArrayList<>(outputs.size());
        for (StepSeries s : outputs.values()) {
            if (s.presentCount() > 0) {
                res.add(s);
            }
        }
        return res;
    }

    /** Computes one result sample into {@code out}. A filtering comparison keeps the left operand's value. */
    private static void emit(Binary b, Cardinality card, StepSeries out, int step, double lv, double rv) {
        BinaryOp op = b.op();
        double value;
        if (op.isComparison()) {
            boolean keep = compare(op, lv, rv);
            if (b.returnBool()) {
                value = keep ? 1 : 0;
            } else if (keep) {
                value = lv;
            } else {
                return;
            }
        } else {
            value = apply(op, lv, rv);
        }
        if (!Absent.is(out.values[step])) {
            throw new PromqlException(PromqlException.Kind.EXECUTION, card == Cardinality.ONE_TO_ONE
                    ? "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"
                    : "multiple matches for labels: grouping labels must ensure unique matches");
        }
        out.values[step] = value;
    }

    /** The labels of a vector/vector result: the "many" side's, with group_x labels from the "one" side. */
    private static Labels resultMetric(Labels lhs, Labels rhs, VectorMatching m, boolean dropName) {
        Labels.Builder b = lhs.toBuilder();
        if (dropName) {
            MetricIdentity.drop(b);
        }
        if (m.card() == Cardinality.ONE_TO_ONE) {
            if (m.on()) {
                Set<String> keep = new HashSet<>(m.labels());
                for (int i = 0; i < lhs.size(); i++) {
                    if (!keep.contains(lhs.name(i))) {
                        b.delete(lhs.name(i));
                    }
                }
            } else {
                for (String name : m.labels()) {
                    b.delete(name);
                }
            }
        }
        for (String name : m.include()) {
            b.set(name, rhs.get(name));
        }
        return b.build();
    }

    /** Go's math.Pow, which (unlike Java's) gives 1 for 1^y and (-1)^±Inf. */
    static double pow(double l, double r) {
        if (l == 1 || (l == -1 && Double.isInfinite(r))) {
            return 1;
        }
        return Math.pow(l, r);
    }

    static boolean compare(BinaryOp op, double l, double r) {
        return switch (op) {
            case EQLC -> l == r;
            case NEQ -> l != r;
            case GTR -> l > r;
            case LSS -> l < r;
            case GTE -> l >= r;
            case LTE -> l <= r;
            default -> throw new IllegalStateException(op.symbol());
        };
    }

    static double apply(BinaryOp op, double l, double r) {
        return switch (op) {
            case ADD -> l + r;
            case SUB -> l - r;
            case MUL -> l * r;
            case DIV -> l / r;
            case MOD -> l % r;
            case POW -> pow(l, r);
            case ATAN2 -> Math.atan2(l, r);
            default -> compare(op, l, r) ? 1 : 0;
        };
    }
}
