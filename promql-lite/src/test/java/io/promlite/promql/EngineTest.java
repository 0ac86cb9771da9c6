package io.promlite.promql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.promlite.promql.script.TestStorages;
import io.promlite.promql.value.Matrix;
import io.promlite.promql.value.Scalar;
import io.promlite.promql.value.SeriesPoints;
import io.promlite.promql.value.StringValue;
import io.promlite.promql.value.Vector;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Querier;
import io.promlite.tsdb.Queryable;
import io.promlite.tsdb.Storage;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.StaleNaN;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EngineTest {
    private Storage storage;
    private Engine engine;

    @BeforeEach
    void load() throws Exception {
        storage = TestStorages.create();
        Appender app = storage.appender();
        for (int i = 0; i <= 20; i++) {
            long t = i * 15_000L;
            app.append(0, Labels.of("__name__", "req_total", "job", "api", "instance", "a"), t, i * 10);
            app.append(0, Labels.of("__name__", "req_total", "job", "api", "instance", "b"), t, i * 20);
            if (i < 10) {
                app.append(0, Labels.of("__name__", "up", "job", "api"), t, 1);
            } else if (i == 10) {
                app.append(0, Labels.of("__name__", "up", "job", "api"), t, StaleNaN.VALUE);
            }
        }
        app.commit();
        engine = new Engine(storage, EngineOptions.defaults());
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void annotationsCarryLineAndColumnOfTheirNode() {
        QueryResult r = engine.instantQuery("sum(\n  rate(up[1m]))", 100_000);
        assertEquals(java.util.List.of("PromQL info: metric might not be a counter, name does not end in "
                + "_total/_sum/_count/_bucket: \"up\" (2:8)"), r.infos());
        assertEquals(java.util.List.of(), r.warnings());
        QueryResult range = engine.rangeQuery("sort(req_total) + quantile(2, req_total)", 0, 60_000, 15_000);
        assertEquals(java.util.Set.of(
                "PromQL warning: sort is ineffective for range queries since results are always ordered by labels (1:1)",
                "PromQL warning: quantile value should be between 0 and 1, got 2 (1:28)"),
                java.util.Set.copyOf(range.warnings()));
        assertEquals(java.util.List.of(), engine.instantQuery("rate(req_total[1m])", 100_000).infos());
        // Columns count UTF-8 bytes, as Prometheus's byte offsets do.
        assertEquals(java.util.List.of("PromQL warning: quantile value should be between 0 and 1, got -1 (1:28)"),
                engine.instantQuery("sum(up{x=\"ü\"}) + quantile(-1, up)", 100_000).warnings());
    }

    @Test
    void delayedNameRemovalKeepsNamesUntilTheResultIsReturned() {
        Engine delayed = new Engine(storage, EngineOptions.defaults().withDelayedNameRemoval(true));
        String byName = "sum by (__name__) (rate({job=\"api\"}[1m]))";
        // Dropped at once, both names are gone before grouping: one group.
        Vector now = assertInstanceOf(Vector.class, engine.instant(byName, 100_000));
        assertEquals(1, now.samples().size());
        // Delayed, each name is its own group until both lose their names at the end.
        PromqlException e = assertThrows(PromqlException.class, () -> delayed.instant(byName, 100_000));
        assertEquals("vector cannot contain metrics with the same labelset", e.getMessage());

        String rename = "label_replace(rate(req_total{instance=\"a\"}[1m]), \"__name__\", \"r_$1\", \"__name__\", \"(.+)\")";
        assertEquals(null, ((Vector) engine.instant(rename, 100_000)).samples().get(0).metric().metricName());
        assertEquals("r_req_total", ((Vector) delayed.instant(rename, 100_000)).samples().get(0).metric().metricName());
        Matrix range = assertInstanceOf(Matrix.class, delayed.range("-req_total", 0, 60_000, 15_000));
        assertEquals(2, range.series().size());
        assertEquals(null, range.series().get(0).metric().metricName());
    }

    @Test
    void delayedNameRemovalMergesRangeVectorsThatMeetAfterwards() throws Exception {
        Appender app = storage.appender();
        app.append(0, Labels.of("__name__", "early", "k", "x"), 15_000, 1);
        app.append(0, Labels.of("__name__", "early", "k", "x"), 30_000, StaleNaN.VALUE);
        app.append(0, Labels.of("__name__", "late", "k", "x"), 45_000, 2);
        app.append(0, Labels.of("__name__", "early", "k", "y"), 15_000, 3);
        app.append(0, Labels.of("__name__", "late", "k", "y"), 15_000, 4);
        app.commit();
        Engine delayed = new Engine(storage, EngineOptions.defaults().withDelayedNameRemoval(true));
        // The two series of k="x" never share a step, so they become one once their names go.
        Matrix m = assertInstanceOf(Matrix.class, delayed.instant("(-{k=\"x\"})[1m:15s]", 60_000));
        assertEquals(1, m.series().size());
        SeriesPoints s = m.series().get(0);
        assertEquals(Labels.of("k", "x"), s.metric());
        assertArrayEquals(new long[] {15_000, 45_000, 60_000}, Arrays.copyOf(s.timestampsMs(), s.count()));
        assertArrayEquals(new double[] {-1, -2, -2}, Arrays.copyOf(s.values(), s.count()));
        PromqlException e = assertThrows(PromqlException.class,
                () -> delayed.instant("(-{k=\"y\"})[1m:15s]", 60_000));
        assertEquals("vector cannot contain metrics with the same labelset", e.getMessage());
    }

    @Test
    void instantVectorKeepsNameAndUsesEvalTime() {
        Vector v = assertInstanceOf(Vector.class, engine.instant("req_total{instance=\"a\"}", 100_000));
        assertEquals(1, v.samples().size());
        assertEquals("req_total", v.samples().get(0).metric().metricName());
        assertEquals(100_000, v.samples().get(0).timestampMs());
        assertEquals(60, v.samples().get(0).value());
    }

    @Test
    void scalarsStringsAndRangeVectors() {
        assertEquals(new Scalar(1000, 3), engine.instant("1 + 2", 1000));
        assertEquals(new StringValue(1000, "x"), engine.instant("\"x\"", 1000));
        Matrix m = assertInstanceOf(Matrix.class, engine.instant("req_total{instance=\"b\"}[1m]", 300_000));
        SeriesPoints p = m.series().get(0);
        // Left-open window (240s, 300s]: the sample at 240s is excluded.
        assertEquals(4, p.count());
        assertArrayEquals(new long[] {255_000, 270_000, 285_000, 300_000}, Arrays.copyOf(p.timestampsMs(), p.count()));
    }

    @Test
    void rangeQueryEvaluatesEveryStepSortedByLabels() {
        Matrix m = assertInstanceOf(Matrix.class, engine.range("sum by (instance) (req_total)", 0, 60_000, 30_000));
        assertEquals(2, m.series().size());
        assertEquals(Labels.of("instance", "a"), m.series().get(0).metric());
        assertArrayEquals(new double[] {0, 20, 40}, Arrays.copyOf(m.series().get(0).values(), 3));
        assertArrayEquals(new double[] {0, 40, 80}, Arrays.copyOf(m.series().get(1).values(), 3));
    }

    @Test
    void staleMarkerEndsSeriesInRangeQueries() {
        Matrix m = assertInstanceOf(Matrix.class, engine.range("up", 120_000, 180_000, 15_000));
        SeriesPoints p = m.series().get(0);
        assertArrayEquals(new long[] {120_000, 135_000}, Arrays.copyOf(p.timestampsMs(), p.count()));
    }

    @Test
    void rangeQueryRejectsStringsAndRangeVectors() {
        PromqlException e = assertThrows(PromqlException.class, () -> engine.range("req_total[5m]", 0, 10, 1));
        assertEquals(PromqlException.Kind.BAD_DATA, e.kind());
        assertEquals("invalid expression type \"range vector\" for range query, must be Scalar or instant Vector",
                e.getMessage());
    }

    @Test
    void parseErrorsAreBadData() {
        PromqlException e = assertThrows(PromqlException.class, () -> engine.instant("sum(req_total", 0));
        assertEquals(PromqlException.Kind.BAD_DATA, e.kind());
        assertEquals("1:14: parse error: unclosed left parenthesis", e.getMessage());
    }

    @Test
    void tooManySamplesIsAnExecutionError() {
        Engine small = new Engine(storage, new EngineOptions(Duration.ofMinutes(5), Duration.ofMinutes(2), 10));
        PromqlException e = assertThrows(PromqlException.class,
                () -> small.range("req_total", 0, 300_000, 15_000));
        assertEquals(PromqlException.Kind.EXECUTION, e.kind());
        assertEquals("query processing would load too many samples into memory in query execution", e.getMessage());
    }

    @Test
    void absurdStepCountsFailBeforeAllocating() {
        PromqlException e = assertThrows(PromqlException.class,
                () -> engine.range("req_total", 0, 4_000_000_000_000L, 1));
        assertEquals(PromqlException.Kind.EXECUTION, e.kind());
    }

    @Test
    void slowQueriesTimeOut() {
        Queryable slow = (mint, maxt) -> {
            try {
                Thread.sleep(30);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            Querier q = storage.querier(mint, maxt);
            return q;
        };
        Engine impatient = new Engine(slow, new EngineOptions(Duration.ofMinutes(5), Duration.ofMillis(5), 1000));
        PromqlException e = assertThrows(PromqlException.class, () -> impatient.instant("req_total", 60_000));
        assertEquals(PromqlException.Kind.TIMEOUT, e.kind());
        assertEquals("query timed out in query execution", e.getMessage());
    }

    @Test
    void duplicateLabelsetsAfterDroppingNamesAreExecutionErrors() throws Exception {
        Appender app = storage.appender();
        app.append(0, Labels.of("__name__", "other_total", "job", "api", "instance", "a"), 0, 1);
        app.append(0, Labels.of("__name__", "other_total", "job", "api", "instance", "a"), 15_000, 2);
        app.commit();
        PromqlException e = assertThrows(PromqlException.class,
                () -> engine.instant("rate({job=\"api\", instance=\"a\", __name__=~\".+_total\"}[1m])", 15_000));
        assertEquals(PromqlException.Kind.EXECUTION, e.kind());
        assertEquals("vector cannot contain metrics with the same labelset", e.getMessage());
    }
}
