package io.promlite.promql.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.promlite.promql.PromqlException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ExprPrinterTest {
    /**
     * Layouts from Prometheus's prettier tests (which use a 10-character line limit):
     * {@code === <query>} (with {@code \n} for line breaks) followed by the expected lines.
     */
    @TestFactory
    Stream<DynamicTest> laysOutLikePrometheusPrettier() throws IOException {
        String text;
        try (InputStream in = getClass().getResourceAsStream("/promql/prettier/cases.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String[]> cases = new ArrayList<>();
        for (String block : text.split("(?m)^=== ")) {
            if (!block.isEmpty()) {
                int nl = block.indexOf('\n');
                cases.add(new String[] {block.substring(0, nl).replace("\\n", "\n"), block.substring(nl + 1).stripTrailing()});
            }
        }
        return cases.stream().map(c -> DynamicTest.dynamicTest(c[0],
                () -> assertEquals(c[1], ExprPrinter.pretty(Parser.parse(c[0]), 10))));
    }

    @Test
    void printsCanonicalOneLineForms() {
        assertPrints("foo{a=\"b\",c=~\"d.*\"} @ 100.500 offset -5m", "foo{c=~'d.*', a=\"b\"} offset -5m @ 100.5");
        assertPrints("{__name__=~\"x.*\"}", "{__name__=~\"x.*\"}");
        assertPrints("{\"my.metric\",job=\"a\"}", "{\"my.metric\", job=\"a\"}");
        assertPrints("rate(x[1h30m] anchored @ end() offset 1w)", "rate(x[90m] anchored offset 7d @ end())");
        assertPrints("sum without () (x)", "sum without() (x)");
        assertPrints("count_values(\"v\", x)", "count_values('v', x)");
        assertPrints("a / on () group_left (b) c", "a / on() group_left(b) c");
        assertPrints("a and on (x) b", "a and on(x) b");
        assertPrints("x[5m:] offset 1m", "x[300s:] offset 60s");
        assertPrints("\"tab\\there\\\\ \\\"q\\\"\"", "'tab\\there\\\\ \"q\"'");
        assertPrints("-x ^ 2", "-x^2");
        assertPrints("+Inf", "Inf");
        assertPrints("1000000", "1e6");
        assertPrints("sum by (\"a.b\") (x)", "sum by (\"a.b\") (x)");
    }

    @Test
    void shortQueriesStayOnOneLineAndLongOnesSplitAtOneHundredCharacters() {
        assertEquals("sum by (job) (rate(http_requests_total[5m]))",
                ExprPrinter.format("sum(rate(http_requests_total[5m])) by (job)"));
        String longQuery = "histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{job=\"api-server\"}[5m])))";
        assertEquals("""
                histogram_quantile(
                  0.9,
                  sum by (le) (rate(http_request_duration_seconds_bucket{job="api-server"}[5m]))
                )""", ExprPrinter.format(longQuery));
    }

    @Test
    void printedFormParsesBackToTheSameForm() {
        for (String q : List.of("a + on (b) group_right (c) d", "topk(3, x) or vector(1)", "x offset 1d",
                "quantile_over_time(0.5, x[1m:10s] @ 5.000)", "-(a - -b)", "label_join(x, \"d\", \",\", \"a\")",
                "a > bool 1", "a unless ignoring (z) b", "max_over_time((x)[5m:])")) {
            String once = ExprPrinter.print(Parser.parse(q));
            assertEquals(once, ExprPrinter.print(Parser.parse(once)), q);
        }
    }

    @Test
    void formatRejectsInvalidQueriesWithTheParseError() {
        PromqlException e = assertThrows(PromqlException.class, () -> ExprPrinter.format("sum(x"));
        assertEquals(PromqlException.Kind.BAD_DATA, e.kind());
    }

    private static void assertPrints(String expected, String query) {
        assertEquals(expected, ExprPrinter.print(Parser.parse(query)), query);
    }
}
