package io.promlite.promql.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.promlite.promql.PromqlException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random token soup must either parse or fail with BAD_DATA, never with anything else. */
class ParserFuzzTest {
    private static final String[] TOKENS = {
        "sum", "by", "without", "(", ")", "{", "}", "[", "]", ",", ":", "@", "offset", "bool", "on", "ignoring",
        "group_left", "group_right", "and", "or", "unless", "+", "-", "*", "/", "%", "^", "==", "!=", "<", ">",
        "<=", ">=", "=", "=~", "!~", "x", "up", "job", "\"a\"", "'b'", "`c`", "\"(\"", "1", "0x1f", "1e3", "Inf",
        "NaN", "5m", "1h30m", "rate", "topk", "count_values", "quantile", "label_replace", "histogram_quantile",
        "start", "end", "#", "\n", "\"", "\\", ".", "$", "~", "!", "__name__", "a:b", "0.5", "-1", "time", "vector",
        "atan2", "limitk", "abs", "99999999999y", "1e400", "0x", "-0", "[1h:", "offset -", "smoothed", "anchored",
        "fill(", "info", "step()", "\\xff", "'\\u12'", "\"\\q\""
    };

    @Test
    void tokenSoupOnlyEverFailsWithBadData() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + random.nextInt(14);
            for (int k = 0; k < n; k++) {
                sb.append(TOKENS[random.nextInt(TOKENS.length)]);
                if (random.nextInt(3) > 0) {
                    sb.append(' ');
                }
            }
            String q = sb.toString();
            try {
                Parser.parse(q);
            } catch (PromqlException e) {
                assertEquals(PromqlException.Kind.BAD_DATA, e.kind(), q);
            } catch (RuntimeException | StackOverflowError e) {
                fail("query " + q + " threw " + e, e);
            }
        }
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        String q = "(".repeat(100_000) + "1" + ")".repeat(100_000);
        try {
            Parser.parse(q);
            fail("expected an error");
        } catch (PromqlException e) {
            assertEquals(PromqlException.Kind.BAD_DATA, e.kind());
        }
    }
}
