package io.promlite.promql.parser;

import io.promlite.tsdb.model.Matcher;
import java.util.List;

/** A node of the PromQL syntax tree. {@link #pos()} is the offset of its first character in the query. */
public sealed interface Expr {
    ValueType type();

    int pos();

    /** A {@code @} modifier: a fixed timestamp, or the query's start or end. */
    record At(Kind kind, long timestampMs) {
        public enum Kind { TIMESTAMP, START, END }
    }

    record NumberLiteral(double value, int pos) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }
    }

    record StringLiteral(String value, int pos) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.STRING;
        }
    }

    /**
     * {@code name{matchers} offset o @ t}; {@code matchers} include the {@code __name__} matcher when
     * named. {@code mode} is Prometheus 3's experimental anchored/smoothed range-selector modifier.
     */
    record VectorSelector(String name, List<Matcher> matchers, long offsetMs, At at, SelectorMode mode, int pos)
            implements Expr {
        @Override
        public ValueType type() {
            return ValueType.VECTOR;
        }

        VectorSelector withOffset(long o) {
            return new VectorSelector(name, matchers, o, at, mode, pos);
        }

        VectorSelector withAt(At a) {
            return new VectorSelector(name, matchers, offsetMs, a, mode, pos);
        }

        VectorSelector withMode(SelectorMode m) {
            return new VectorSelector(name, matchers, offsetMs, at, m, pos);
        }
    }

    /**
     * How a selector reads around its window: PLAIN is standard PromQL; ANCHORED also takes the
     * last sample before a range's start; SMOOTHED interpolates values at the window's edges.
     */
    enum SelectorMode { PLAIN, ANCHORED, SMOOTHED }

    /** {@code selector[range]}; offset and {@code @} live on the inner selector. */
    record MatrixSelector(VectorSelector selector, long rangeMs, int pos) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.MATRIX;
        }
    }

    /** {@code expr[range:step]}; a step of 0 means the query's evaluation interval. */
    record Subquery(Expr expr, long rangeMs, long stepMs, long offsetMs, At at, int pos) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.MATRIX;
        }
    }

    record Paren(Expr expr, int pos) implements Expr {
        @Override
        public ValueType type() {
            return expr.type();
        }
    }

    /** Unary minus (unary plus is dropped by the parser). */
    record Negation(Expr expr, int pos) implements Expr {
        @Override
        public ValueType type() {
            return expr.type();
        }
    }

    /**
     * How the two sides of a vector/vector operation are matched. {@code fillLeft}/{@code fillRight}
     * (null when absent) are the values the fill modifiers substitute for a missing side.
     */
    record VectorMatching(Cardinality card, List<String> labels, boolean on, List<String> include, Double fillLeft,
                          Double fillRight) {
        public enum Cardinality { ONE_TO_ONE, MANY_TO_ONE, ONE_TO_MANY, MANY_TO_MANY }

        public static final VectorMatching DEFAULT =
                new VectorMatching(Cardinality.ONE_TO_ONE, List.of(), false, List.of(), null, null);
    }

    record Binary(BinaryOp op, Expr lhs, Expr rhs, VectorMatching matching, boolean returnBool, int pos)
            implements Expr {
        @Override
        public ValueType type() {
            return lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR ? ValueType.SCALAR : ValueType.VECTOR;
        }
    }

    record Aggregate(AggregateOp op, Expr expr, Expr param, List<String> grouping, boolean without, int pos)
            implements Expr {
        @Override
        public ValueType type() {
            return ValueType.VECTOR;
        }
    }

    record Call(FunctionSignature function, List<Expr> args, int pos) implements Expr {
        @Override
        public ValueType type() {
            return function.returnType();
        }
    }
}
