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
                out.add(new StepSeries(dropsName(op, b.returnBool()) ? MetricIdentity.drop(s.labels) : s.labels, v));
            }
        }
        return new Vectors(dropsName(op, b.returnBool()) ? Evaluator.mergeSameLabels(out) : out);
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

    private static Labels[] signatures(List<StepSeries> series, VectorMatching m) {
        Labels[] sigs = new Labels[series.size()];
        for (int i = 0; i < sigs.length; i++) {
            sigs[i] = signature(series.get(i).labels, m);
        }
        return sigs;
    }

    private static List<StepSeries> andUnless(Evaluator ev, List<StepSeries> lhs, List<StepSeries> rhs,
                                              VectorMatching m, boolean and) {
        Labels[] ls = signatures(lhs, m);
        Labels[] rs = signatures(rhs, m);
        List<StepSeries> out = new ArrayList<>();
        double[][] values = new double[lhs.size()][];
        Set<Labels> present = new HashSet<>();
        for (int i = 0; i < ev.steps; i++) {
            present.clear();
            for (int k = 0; k < rhs.size(); k++) {
                if (!Absent.is(rhs.get(k).values[i])) {
                    present.add(rs[k]);
                }
            }
            for (int k = 0; k < lhs.size(); k++) {
                double v = lhs.get(k).values[i];
                if (!Absent.is(v) && present.contains(ls[k]) == and) {
                    if (values[k] == null) {
                        values[k] = Absent.newArray(ev.steps);
                    }
                    values[k][i] = v;
                }
            }
        }
        for (int k = 0; k < lhs.size(); k++) {
            if (values[k] != null) {
                out.add(new StepSeries(lhs.get(k).labels, values[k]));
            }
        }
        return out;
    }

    private static List<StepSeries> or(Evaluator ev, List<StepSeries> lhs, List<StepSeries> rhs, VectorMatching m) {
        Labels[] ls = signatures(lhs, m);
        Labels[] rs = signatures(rhs, m);
        Map<Labels, double[]> out = new LinkedHashMap<>();
        for (StepSeries s : lhs) {
            double[] prev = out.putIfAbsent(s.labels, s.values.clone());
            if (prev != null) {
                mergeInto(prev, s.values);
            }
        }
        Set<Labels> present = new HashSet<>();
        for (int i = 0; i < ev.steps; i++) {
            present.clear();
            for (int k = 0; k < lhs.size(); k++) {
                if (!Absent.is(lhs.get(k).values[i])) {
                    present.add(ls[k]);
                }
            }
            for (int k = 0; k < rhs.size(); k++) {
                double v = rhs.get(k).values[i];
                if (!Absent.is(v) && !present.contains(rs[k])) {
                    double[] arr = out.computeIfAbsent(rhs.get(k).labels, x -> Absent.newArray(ev.steps));
                    if (!Absent.is(arr[i])) {
                        throw Evaluator.duplicateLabelset();
                    }
                    arr[i] = v;
                }
            }
        }
        List<StepSeries> res = new ArrayList<>(out.size());
        out.forEach((l, v) -> res.add(new StepSeries(l, v)));
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
        BinaryOp op = b.op();
        Cardinality card = m.card();
        boolean swap = card == Cardinality.ONE_TO_MANY;
        List<StepSeries> one = swap ? lhs : rhs;
        List<StepSeries> many = swap ? rhs : lhs;
        Labels[] oneSigs = signatures(one, m);
        Labels[] manySigs = signatures(many, m);
        boolean fillMany = m.fillLeft() != null;
        boolean fillOne = m.fillRight() != null;
        double manyFill = fillMany ? m.fillLeft() : 0;
        double oneFill = fillOne ? m.fillRight() : 0;
        Map<Labels, StepSeries> outputs = new LinkedHashMap<>();
        Map<Long, Labels> resultLabels = new HashMap<>();
        Map<Labels, Integer> oneBySig = new HashMap<>();
        Map<Labels, Integer> matchedMany = new HashMap<>();
        boolean[] oneMatched = new boolean[one.size()];
        boolean dropName = dropsName(op, b.returnBool());
        for (int i = 0; i < ev.steps; i++) {
            ev.ctx.checkDeadline();
            oneBySig.clear();
            for (int k = 0; k < one.size(); k++) {
                if (Absent.is(one.get(k).values[i])) {
                    continue;
                }
                Integer prev = oneBySig.put(oneSigs[k], k);
                if (prev != null) {
                    StepSeries a = one.get(prev);
                    StepSeries c = one.get(k);
                    String side = swap ? "left" : "right";
                    throw new PromqlException(PromqlException.Kind.EXECUTION, "found duplicate series for the match group "
                            + oneSigs[k] + " on the " + side + " hand-side of the operation: ["
                            + a.labels + ", " + c.labels + "];many-to-many matching not allowed: matching labels must be"
                            + " unique on one side");
                }
            }
            matchedMany.clear();
            java.util.Arrays.fill(oneMatched, false);
            for (int k = 0; k < many.size(); k++) {
                double mv = many.get(k).values[i];
                if (Absent.is(mv)) {
                    continue;
                }
                Integer o = oneBySig.get(manySigs[k]);
                if (o == null && !fillOne) {
                    continue;
                }
                if (o != null && card == Cardinality.ONE_TO_ONE) {
                    Integer prev = matchedMany.put(manySigs[k], k);
                    if (prev != null) {
                        throw new PromqlException(PromqlException.Kind.EXECUTION,
                                "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                    }
                }
                double ov;
                if (o != null) {
                    oneMatched[o] = true;
                    ov = one.get(o).values[i];
                } else {
                    ov = oneFill;
                }
                long pairKey = ((long) k << 32) | (o == null ? 0xFFFFFFFFL : o);
                Labels result = resultLabels.get(pairKey);
                if (result == null) {
                    result = resultMetric(many.get(k).labels, o == null ? Labels.EMPTY : one.get(o).labels, m, dropName);
                    resultLabels.put(pairKey, result);
                }
                emit(ev, b, card, outputs, result, i, swap ? ov : mv, swap ? mv : ov, many.get(k).labels, swap);
            }
            if (fillMany) {
                for (Map.Entry<Labels, Integer> e : oneBySig.entrySet()) {
                    int o = e.getValue();
                    if (oneMatched[o]) {
                        continue;
                    }
                    double ov = one.get(o).values[i];
                    emit(ev, b, card, outputs, e.getKey(), i, swap ? ov : manyFill, swap ? manyFill : ov, null, swap);
                }
            }
        }
        return new ArrayList<>(outputs.values());
    }

    /**
     * Computes one result sample and stores it under {@code result}. A filtering comparison keeps
     * the left operand's value.
     */
    private static void emit(Evaluator ev, Binary b, Cardinality card, Map<Labels, StepSeries> outputs, Labels result,
                             int step, double lv, double rv, Labels manyLabels, boolean swap) {
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
        StepSeries s = outputs.get(result);
        if (s == null) {
            s = new StepSeries(result, Absent.newArray(ev.steps));
            outputs.put(result, s);
        } else if (!Absent.is(s.values[step])) {
            if (card == Cardinality.ONE_TO_ONE) {
                throw new PromqlException(PromqlException.Kind.EXECUTION,
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
            }
            throw new PromqlException(PromqlException.Kind.EXECUTION,
                    "multiple matches for labels: grouping labels must ensure unique matches");
        }
        s.values[step] = value;
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
