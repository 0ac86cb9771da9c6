package io.promlite.promql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.promql.script.TestStorages;
import io.promlite.promql.value.Matrix;
import io.promlite.promql.value.SeriesPoints;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Storage;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.StaleNaN;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Aggregations over a selector, or over a range function of one metric's selector, and a range
 * query of such a function alone, read their input a batch of series at a time. Over more series than several batches hold, they must give
 * exactly what the same aggregation gives over the whole input evaluated at once (forced here by
 * a no-op {@code * 1}, which the batched path does not take).
 */
class AggregationBatchesTest {
    /** Several batches of 512 series, the last one partial. */
    private static final int SERIES = 1300;
    private static final long STEP = 15_000;
    private static final long END = 40 * STEP;

    private static Storage storage;
    private static Engine engine;

    @BeforeAll
    static void load() throws Exception {
        storage = TestStorages.create();
        for (int t = 0; t <= 40; t++) {
            Appender app = storage.appender();
            for (int s = 0; s < SERIES; s++) {
                // Some series start late, stop early or go stale, so groups have gaps at some steps.
                if ((s % 7 == 0 && t < 10) || (s % 11 == 0 && t > 30)) {
                    continue;
                }
                double v = s % 13 == 0 && t == 20 ? StaleNaN.VALUE : t * (s % 17 + 0.1) + s / 3.0;
                Labels counter = Labels.of("__name__", "c_total", "job", "j" + (s % 5), "instance", "i" + s);
                app.append(0, counter, t * STEP, v);
                app.append(0, Labels.of("__name__", "g", "job", "j" + (s % 5), "instance", "i" + s), t * STEP,
                        Math.sin(s + t) * 1e3);
                // Two metrics equal but for their names: dropping names makes them collide.
                app.append(0, Labels.of("__name__", s < 700 ? "a_total" : "b_total", "k", "" + (s % 700)),
                        t * STEP, t);
            }
            app.commit();
        }
        engine = new Engine(storage, EngineOptions.defaults());
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    private static Matrix range(Engine e, String query) {
        return assertInstanceOf(Matrix.class, e.range(query, 0, END, STEP));
    }

    private static void assertSameAsWhole(String batched, String whole) {
        Matrix expected = range(engine, whole);
        Matrix actual = range(engine, batched);
        assertEquals(expected.series().size(), actual.series().size(), batched);
        assertTrue(actual.series().size() > 0, batched);
        for (int i = 0; i < expected.series().size(); i++) {
            SeriesPoints e = expected.series().get(i);
            SeriesPoints a = actual.series().get(i);
            assertEquals(e.metric(), a.metric(), batched);
            assertArrayEquals(Arrays.copyOf(e.timestampsMs(), e.count()), Arrays.copyOf(a.timestampsMs(), a.count()),
                    batched);
            // Bit for bit: the same values reduced in the same order.
            assertArrayEquals(Arrays.copyOf(e.values(), e.count()), Arrays.copyOf(a.values(), a.count()), batched);
        }
    }

    @Test
    void aggregatingRangeFunctionsInBatchesEqualsAggregatingTheWholeInput() {
        assertSameAsWhole("sum by (job) (rate(c_total[1m]))", "sum by (job) (rate(c_total[1m]) * 1)");
        assertSameAsWhole("avg(increase(c_total[2m]))", "avg(increase(c_total[2m]) * 1)");
        assertSameAsWhole("max without (instance) (max_over_time(g[1m]))",
                "max without (instance) (max_over_time(g[1m]) * 1)");
        assertSameAsWhole("stddev by (job) (avg_over_time(g[45s]))", "stddev by (job) (avg_over_time(g[45s]) * 1)");
        assertSameAsWhole("quantile by (job) (0.9, rate(c_total[1m]))", "quantile by (job) (0.9, rate(c_total[1m]) * 1)");
    }

    @Test
    void aggregatingSelectorsInBatchesEqualsAggregatingTheWholeInput() {
        assertSameAsWhole("count(g)", "count(g * 1)");
        assertSameAsWhole("sum by (job) (g)", "sum by (job) (g * 1)");
        assertSameAsWhole("min(g)", "min(g * 1)");
        assertSameAsWhole("group by (job) (c_total)", "group by (job) (c_total * 1)");
        assertSameAsWhole("count by (__name__) ({__name__=~\"g|c_total\"})",
                "count by (__name__) ({__name__=~\"g|c_total\"} > -Inf)");
    }

    /** A range query's own result computed from one selector's series is also read in batches. */
    @Test
    void rangeFunctionResultsInBatchesEqualTheWholeInput() {
        assertSameAsWhole("rate(c_total[1m])", "rate(c_total[1m]) * 1");
        assertSameAsWhole("avg_over_time(g[45s])", "avg_over_time(g[45s]) * 1");
        assertSameAsWhole("(increase(c_total[2m]))", "increase(c_total[2m]) * 1");
        PromqlException e = assertThrows(PromqlException.class,
                () -> engine.range("rate({__name__=~\"a_total|b_total\"}[1m])", 0, END, STEP));
        assertEquals("vector cannot contain metrics with the same labelset", e.getMessage());
        Engine limited = new Engine(storage, new EngineOptions(Duration.ofMinutes(5), Duration.ofMinutes(2), 30_000));
        e = assertThrows(PromqlException.class, () -> range(limited, "avg_over_time(g[1m])"));
        assertEquals("query processing would load too many samples into memory in query execution", e.getMessage());
    }

    /** Series of two names collide once a function drops the names, even when in different batches. */
    @Test
    void collisionsAcrossBatchesAreStillErrors() {
        PromqlException e = assertThrows(PromqlException.class,
                () -> engine.range("sum(rate({__name__=~\"a_total|b_total\"}[1m]))", 0, END, STEP));
        assertEquals("vector cannot contain metrics with the same labelset", e.getMessage());
    }

    /** The samples limit counts every batch's result as held, as if the input were evaluated whole. */
    @Test
    void theSamplesLimitCountsEveryBatch() {
        // g at 41 steps: ~53k slots in all, ~21k in one batch.
        Engine limited = new Engine(storage, new EngineOptions(Duration.ofMinutes(5), Duration.ofMinutes(2), 30_000));
        PromqlException e = assertThrows(PromqlException.class, () -> range(limited, "count(g)"));
        assertEquals("query processing would load too many samples into memory in query execution", e.getMessage());
    }
}
