package io.promlite.promql.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.promql.PromqlException;
import io.promlite.promql.parser.Expr.Aggregate;
import io.promlite.promql.parser.Expr.Binary;
import io.promlite.promql.parser.Expr.MatrixSelector;
import io.promlite.promql.parser.Expr.Negation;
import io.promlite.promql.parser.Expr.NumberLiteral;
import io.promlite.promql.parser.Expr.StringLiteral;
import io.promlite.promql.parser.Expr.Subquery;
import io.promlite.promql.parser.Expr.VectorSelector;
import io.promlite.tsdb.model.Matcher;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParserTest {
    @Test
    void numbersInEverySpelling() {
        assertEquals(255.0, number("0xff"));
        assertEquals(Double.POSITIVE_INFINITY, number("+Inf"));
        assertEquals(Double.NEGATIVE_INFINITY, number("-inf"));
        assertTrue(Double.isNaN(number("NaN")));
        assertEquals(1.5e-3, number("1.5e-3"));
        assertEquals(0.2, number(".2"));
        assertEquals(300.0, number("5m"));
    }

    private static double number(String q) {
        return assertInstanceOf(NumberLiteral.class, Parser.parse(q)).value();
    }

    @Test
    void stringsInThreeQuoteStylesWithEscapes() {
        assertEquals("a\"b\n", ((StringLiteral) Parser.parse("\"a\\\"b\\n\"")).value());
        assertEquals("it's", ((StringLiteral) Parser.parse("'it\\'s'")).value());
        assertEquals("raw\\n", ((StringLiteral) Parser.parse("`raw\\n`")).value());
        assertEquals("\u00e9", ((StringLiteral) Parser.parse("\"\\u00e9\"")).value());
    }

    @Test
    void selectorsWithAllMatchersAndQuotedNames() {
        VectorSelector vs = (VectorSelector) Parser.parse("up{a=\"1\", b!=\"2\", c=~\"3.*\", d!~\"4\"}");
        assertEquals("up", vs.name());
        assertEquals(List.of(Matcher.equal("__name__", "up"), Matcher.equal("a", "1"),
                Matcher.of(Matcher.Type.NOT_EQUAL, "b", "2"), Matcher.of(Matcher.Type.REGEX, "c", "3.*"),
                Matcher.of(Matcher.Type.NOT_REGEX, "d", "4")), vs.matchers());
        VectorSelector quoted = (VectorSelector) Parser.parse("{\"my.metric\", \"my.label\"=\"x\"}");
        assertEquals("my.metric", quoted.name());
        assertEquals(Matcher.equal("my.label", "x"), quoted.matchers().get(1));
    }

    @Test
    void rangesOffsetsAtAndSubqueries() {
        MatrixSelector ms = (MatrixSelector) Parser.parse("x[5m] offset -1h @ 100");
        assertEquals(300_000, ms.rangeMs());
        assertEquals(-3_600_000, ms.selector().offsetMs());
        assertEquals(100_000, ms.selector().at().timestampMs());
        Subquery sq = (Subquery) Parser.parse("rate(x[1m])[1h:30s] @ end()");
        assertEquals(3_600_000, sq.rangeMs());
        assertEquals(30_000, sq.stepMs());
        assertEquals(Expr.At.Kind.END, sq.at().kind());
    }

    @Test
    void precedenceAndAssociativity() {
        // 2 ^ 3 ^ 2 is 2 ^ (3 ^ 2); -a ^ b is -(a ^ b); a + b * c is a + (b * c).
        Binary pow = (Binary) Parser.parse("a ^ b ^ c");
        assertInstanceOf(Binary.class, pow.rhs());
        Negation neg = (Negation) Parser.parse("-a ^ b");
        assertInstanceOf(Binary.class, neg.expr());
        Binary add = (Binary) Parser.parse("a + b * c");
        assertEquals(BinaryOp.ADD, add.op());
        Binary or = (Binary) Parser.parse("a and b or c unless d");
        assertEquals(BinaryOp.OR, or.op());
        Binary minus = (Binary) Parser.parse("a - b - c");
        assertInstanceOf(Binary.class, minus.lhs());
    }

    @Test
    void aggregationGroupingInBothPositions() {
        Aggregate before = (Aggregate) Parser.parse("sum by (job) (x)");
        Aggregate after = (Aggregate) Parser.parse("SUM(x) BY (job)");
        assertEquals(List.of("job"), before.grouping());
        assertEquals(before.grouping(), after.grouping());
        Aggregate topk = (Aggregate) Parser.parse("topk without (a, b) (3, x)");
        assertTrue(topk.without());
        assertInstanceOf(NumberLiteral.class, topk.param());
    }

    @Test
    void parseErrorsCarryLineAndColumn() {
        assertError("1:5: parse error: unclosed left parenthesis", "sum(");
        assertError("1:1: parse error: no expression found in input", "");
        assertError("2:3: parse error: unexpected character: '$'", "x +\n  $");
        assertError("1:1: parse error: vector selector must contain at least one non-empty matcher", "{a=\"\"}");
        assertError("1:3: parse error: comparisons between scalars must use BOOL modifier", "1 > 2");
        assertError("1:1: parse error: set operator \"and\" not allowed in binary scalar expression", "1 and 1");
        assertError("1:5: parse error: unexpected right parenthesis ')'", "(1))");
        assertError("1:5: parse error: unclosed left parenthesis", "((1)");
        assertError("1:1: parse error: unexpected <op:*>", "*1");
        assertError("1:3: parse error: unexpected end of input", "1+");
        assertError("1:1: parse error: bad number or duration syntax: \"2.5.\"", "2.5.");
        assertError("1:1: parse error: bad number or duration syntax: \"0de\"", "0deadbeef");
        assertError("1:3: parse error: bad number or duration syntax: \"99999999999y\"", "x[99999999999y]");
        assertError("1:15: parse error: unexpected identifier \"b\" in label matching, expected string",
                "some_metric{a=b}");
        assertError("1:14: parse error: unexpected character inside braces: ':'", "some_metric{a:b=\"b\"}");
        assertError("1:6: parse error: unexpected character inside braces: '>'", "foo{a>=\"b\"}");
        assertError("1:4: parse error: unexpected \",\" in label matching, expected identifier or \"}\"", "up{, a=\"b\"}");
        assertError("1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1",
                "topk(x)");
        assertError("1:1: parse error: binary expression must contain only scalar and instant vector types",
                "x[5m] + 1");
    }

    private static void assertError(String message, String query) {
        PromqlException e = assertThrows(PromqlException.class, () -> Parser.parse(query));
        assertEquals(PromqlException.Kind.BAD_DATA, e.kind());
        assertEquals(message, e.getMessage());
    }
}
