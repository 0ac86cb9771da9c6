package io.promlite.web.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.promlite.promql.functions.MathFunctions;
import io.promlite.promql.parser.Expr;
import io.promlite.promql.parser.Expr.Aggregate;
import io.promlite.promql.parser.Expr.At;
import io.promlite.promql.parser.Expr.Binary;
import io.promlite.promql.parser.Expr.Call;
import io.promlite.promql.parser.Expr.MatrixSelector;
import io.promlite.promql.parser.Expr.Negation;
import io.promlite.promql.parser.Expr.NumberLiteral;
import io.promlite.promql.parser.Expr.Paren;
import io.promlite.promql.parser.Expr.SelectorMode;
import io.promlite.promql.parser.Expr.StringLiteral;
import io.promlite.promql.parser.Expr.Subquery;
import io.promlite.promql.parser.Expr.VectorMatching;
import io.promlite.promql.parser.Expr.VectorSelector;
import io.promlite.promql.parser.ValueType;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import java.io.IOException;
import java.util.List;

/**
 * The syntax tree as {@code /api/v1/parse_query} returns it: the object shapes of Prometheus's
 * web API (translate_ast.go), keys in the alphabetical order Go's JSON encoder writes map keys in.
 */
final class AstJson {
    private AstJson() {
    }

    static void write(JsonGenerator g, Expr e) throws IOException {
        g.writeStartObject();
        if (e instanceof Aggregate a) {
            g.writeFieldName("expr");
            write(g, a.expr());
            strings(g, "grouping", a.grouping());
            g.writeStringField("op", a.op().symbol());
            g.writeFieldName("param");
            if (a.param() == null) {
                g.writeNull();
            } else {
                write(g, a.param());
            }
            g.writeStringField("type", "aggregation");
            g.writeBooleanField("without", a.without());
        } else if (e instanceof Binary b) {
            g.writeBooleanField("bool", b.returnBool());
            g.writeFieldName("lhs");
            write(g, b.lhs());
            g.writeFieldName("matching");
            matching(g, b);
            g.writeStringField("op", b.op().symbol());
            g.writeFieldName("rhs");
            write(g, b.rhs());
            g.writeStringField("type", "binaryExpr");
        } else if (e instanceof Call c) {
            g.writeArrayFieldStart("args");
            for (Expr arg : c.args()) {
                write(g, arg);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("func");
            g.writeArrayFieldStart("argTypes");
            for (ValueType t : c.function().argTypes()) {
                g.writeString(typeName(t));
            }
            g.writeEndArray();
            g.writeStringField("name", c.function().name());
            g.writeStringField("returnType", typeName(c.function().returnType()));
            g.writeNumberField("variadic", c.function().variadic());
            g.writeEndObject();
            g.writeStringField("type", "call");
        } else if (e instanceof MatrixSelector ms) {
            VectorSelector vs = ms.selector();
            selectorFields(g, vs, ms.rangeMs(), "matrixSelector");
        } else if (e instanceof Subquery sq) {
            g.writeBooleanField("alignEvalTime", false);
            g.writeFieldName("expr");
            write(g, sq.expr());
            g.writeNumberField("offset", sq.offsetMs());
            g.writeNumberField("range", sq.rangeMs());
            startOrEnd(g, sq.at());
            g.writeNumberField("step", sq.stepMs());
            timestamp(g, sq.at());
            g.writeStringField("type", "subquery");
        } else if (e instanceof NumberLiteral n) {
            g.writeStringField("type", "numberLiteral");
            g.writeStringField("val", MathFunctions.formatValue(n.value()));
        } else if (e instanceof Paren p) {
            g.writeFieldName("expr");
            write(g, p.expr());
            g.writeStringField("type", "parenExpr");
        } else if (e instanceof StringLiteral s) {
            g.writeStringField("type", "stringLiteral");
            g.writeStringField("val", s.value());
        } else if (e instanceof Negation n) {
            g.writeFieldName("expr");
            write(g, n.expr());
            g.writeStringField("op", "-");
            g.writeStringField("type", "unaryExpr");
        } else {
            selectorFields(g, (VectorSelector) e, -1, "vectorSelector");
        }
        g.writeEndObject();
    }

    /** The fields of a vector selector, or with {@code rangeMs >= 0} of a matrix selector. */
    private static void selectorFields(JsonGenerator g, VectorSelector vs, long rangeMs, String type)
            throws IOException {
        g.writeBooleanField("anchored", vs.mode() == SelectorMode.ANCHORED);
        g.writeArrayFieldStart("matchers");
        // Prometheus's parser appends the matcher a metric name implies after the braces' ones.
        Matcher implied = null;
        for (Matcher m : vs.matchers()) {
            if (implied == null && vs.name() != null && m.name().equals(Labels.METRIC_NAME)
                    && m.type() == Matcher.Type.EQUAL && m.value().equals(vs.name())) {
                implied = m;
            } else {
                matcher(g, m);
            }
        }
        if (implied != null) {
            matcher(g, implied);
        }
        g.writeEndArray();
        g.writeStringField("name", vs.name() == null ? "" : vs.name());
        g.writeNumberField("offset", vs.offsetMs());
        if (rangeMs >= 0) {
            g.writeNumberField("range", rangeMs);
        }
        g.writeBooleanField("smoothed", vs.mode() == SelectorMode.SMOOTHED);
        startOrEnd(g, vs.at());
        timestamp(g, vs.at());
        g.writeStringField("type", type);
    }

    private static void matcher(JsonGenerator g, Matcher m) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", m.name());
        g.writeStringField("type", m.type().symbol());
        g.writeStringField("value", m.value());
        g.writeEndObject();
    }

    /** Prometheus drops the matching of an operation with a scalar side; set operators match many-to-many. */
    private static void matching(JsonGenerator g, Binary b) throws IOException {
        if (b.lhs().type() != ValueType.VECTOR || b.rhs().type() != ValueType.VECTOR) {
            g.writeNull();
            return;
        }
        VectorMatching m = b.matching() == null ? VectorMatching.DEFAULT : b.matching();
        g.writeStartObject();
        g.writeStringField("card", b.op().isSetOperator() ? "many-to-many" : switch (m.card()) {
            case ONE_TO_ONE -> "one-to-one";
            case MANY_TO_ONE -> "many-to-one";
            case ONE_TO_MANY -> "one-to-many";
            case MANY_TO_MANY -> "many-to-many";
        });
        g.writeObjectFieldStart("fillValues");
        fill(g, "lhs", m.fillLeft());
        fill(g, "rhs", m.fillRight());
        g.writeEndObject();
        strings(g, "include", m.include());
        strings(g, "labels", m.labels());
        g.writeBooleanField("on", m.on());
        g.writeEndObject();
    }

    private static void fill(JsonGenerator g, String name, Double value) throws IOException {
        g.writeFieldName(name);
        if (value == null || !Double.isFinite(value)) {
            // Go's JSON encoder cannot write NaN or infinities either; null at least keeps the object valid.
            g.writeNull();
        } else {
            g.writeNumber(MathFunctions.formatValue(value));
        }
    }

    private static void startOrEnd(JsonGenerator g, At at) throws IOException {
        if (at == null || at.kind() == At.Kind.TIMESTAMP) {
            g.writeNullField("startOrEnd");
        } else {
            g.writeStringField("startOrEnd", at.kind() == At.Kind.START ? "start" : "end");
        }
    }

    private static void timestamp(JsonGenerator g, At at) throws IOException {
        if (at != null && at.kind() == At.Kind.TIMESTAMP) {
            g.writeNumberField("timestamp", at.timestampMs());
        } else {
            g.writeNullField("timestamp");
        }
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static String typeName(ValueType t) {
        return switch (t) {
            case SCALAR -> "scalar";
            case VECTOR -> "vector";
            case MATRIX -> "matrix";
            case STRING -> "string";
        };
    }
}
