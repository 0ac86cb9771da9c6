package io.promlite.promql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.promlite.promql.script.TestStorages;
import io.promlite.promql.value.Matrix;
import io.promlite.promql.value.Sample;
import io.promlite.promql.value.SeriesPoints;
import io.promlite.promql.value.Value;
import io.promlite.promql.value.Vector;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Storage;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.StaleNaN;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random well-typed queries over odd data (NaN, Inf, staleness, gaps, resets) must evaluate or
 * fail with a PromqlException — never with any other exception.
 */
class EngineFuzzTest {
    private static final String[] VECTOR_FUNCTIONS = {"abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10",
        "sgn", "deg", "rad", "cos", "timestamp", "absent", "sort", "sort_desc", "day_of_week", "hour", "year"};
    private static final String[] RANGE_FUNCTIONS = {"rate", "irate", "increase", "delta", "idelta", "deriv", "resets",
        "changes", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
        "stddev_over_time", "stdvar_over_time", "last_over_time", "first_over_time", "present_over_time",
        "mad_over_time", "absent_over_time", "ts_of_max_over_time"};
    private static final String[] AGGREGATIONS = {"sum", "avg", "count", "min", "max", "group", "stddev", "stdvar"};
    private static final String[] OPERATORS = {"+", "-", "*", "/", "%", "^", "atan2", "==", "!=", ">", "<", ">=", "<="};

    private static Storage storage;
    private static Engine engine;

    @BeforeAll
    static void load() throws Exception {
        storage = TestStorages.create();
        Appender app = storage.appender();
        double[] odd = {1, 5, Double.NaN, 2, Double.POSITIVE_INFINITY, 0, -3, StaleNaN.VALUE, 7, 8};
        for (int i = 0; i < 40; i++) {
            long t = i * 15_000L;
            app.append(0, Labels.of("__name__", "m", "job", "a", "le", "0.5"), t, i);
            app.append(0, Labels.of("__name__", "m", "job", "b", "le", "+Inf"), t, 2 * i + 1);
            if (i % 3 != 0) {
                app.append(0, Labels.of("__name__", "n", "job", "a"), t, odd[i % odd.length]);
            }
            app.append(0, Labels.of("__name__", "n", "job", "c", "x", "y"), t, i % 7);
        }
        app.commit();
        engine = new Engine(storage, EngineOptions.defaults());
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    @Test
    void randomQueriesOnlyFailWithPromqlExceptions() {
        Random r = new Random(7);
        int evaluated = 0;
        for (int i = 0; i < 1500; i++) {
            String q = vector(r, 3);
            try {
                if (r.nextBoolean()) {
                    engine.instant(q, 300_000);
                } else {
                    engine.range(q, 0, 600_000, 45_000);
                }
                evaluated++;
            } catch (PromqlException e) {
                // Type errors and evaluation errors are fine.
            } catch (RuntimeException e) {
                fail("query " + q + " threw " + e, e);
            }
        }
        // The generator builds well-typed queries: most must actually evaluate.
        assertTrue(evaluated > 1000, "only " + evaluated + " of 1500 random queries evaluated");
    }

    /** A range query is the instant query at every step, evaluated in one pass: both must agree. */
    @Test
    void rangeQueriesAgreeWithInstantQueriesAtEachStep() {
        Random r = new Random(11);
        int compared = 0;
        for (int i = 0; i < 300; i++) {
            String q = vector(r, 2);
            if (q.contains("start()") || q.contains("end()")) {
                // These resolve to the query's own bounds, which differ between the two modes.
                continue;
            }
            if (q.contains("sort") && q.contains("limitk")) {
                // A range query keeps one series order for all steps, so a per-step sort cannot steer limitk.
                continue;
            }
            Matrix m;
            try {
                m = (Matrix) engine.range(q, 0, 600_000, 45_000);
            } catch (PromqlException e) {
                continue;
            }
            for (long t = 0; t <= 600_000; t += 45_000) {
                Map<Labels, Double> expected = new HashMap<>();
                Value v = engine.instant(q, t);
                for (Sample s : ((Vector) v).samples()) {
                    expected.put(s.metric(), s.value());
                }
                Map<Labels, Double> actual = new HashMap<>();
                for (SeriesPoints p : m.series()) {
                    for (int k = 0; k < p.count(); k++) {
                        if (p.timestampsMs()[k] == t) {
                            actual.put(p.metric(), p.values()[k]);
                        }
                    }
                }
                assertEquals(expected.keySet(), actual.keySet(), q + " at " + t);
                for (Map.Entry<Labels, Double> e : expected.entrySet()) {
                    assertEquals(e.getValue(), actual.get(e.getKey()), 1e-9, q + " at " + t + " for " + e.getKey());
                }
            }
            compared++;
        }
        assertTrue(compared > 150, "only " + compared + " queries compared");
    }

    private static String pick(Random r, String[] options) {
        return options[r.nextInt(options.length)];
    }

    private static String scalar(Random r, int depth) {
        return switch (depth <= 0 ? 0 : r.nextInt(4)) {
            case 0 -> List.of("1", "0", "-2.5", "NaN", "Inf", "0.5").get(r.nextInt(6));
            case 1 -> "scalar(" + vector(r, depth - 1) + ")";
            case 2 -> "time()";
            default -> "(" + scalar(r, depth - 1) + " " + pick(r, new String[] {"+", "*", "/", "^"}) + " "
                    + scalar(r, depth - 1) + ")";
        };
    }

    private static String selector(Random r) {
        String s = List.of("m", "n", "{job=\"a\"}", "{__name__=~\"m|n\"}", "n{x!=\"\"}", "missing").get(r.nextInt(6));
        if (r.nextInt(5) == 0) {
            s += " offset " + List.of("1m", "-30s", "5m").get(r.nextInt(3));
        }
        if (r.nextInt(6) == 0) {
            s += " @ " + List.of("100", "start()", "end()").get(r.nextInt(3));
        }
        return s;
    }

    private static String range(Random r, int depth) {
        String w = List.of("1m", "45s", "5m", "2m").get(r.nextInt(4));
        if (depth > 0 && r.nextInt(3) == 0) {
            return "(" + vector(r, depth - 1) + ")[" + w + ":" + List.of("", "15s", "1m").get(r.nextInt(3)) + "]";
        }
        String sel = List.of("m", "n", "{job=\"a\"}", "n{x=\"y\"}").get(r.nextInt(4));
        return sel + "[" + w + "]" + (r.nextInt(5) == 0 ? " offset 1m" : "");
    }

    private static String vector(Random r, int depth) {
        int choice = depth <= 0 ? 0 : r.nextInt(9);
        return switch (choice) {
            case 0 -> selector(r);
            case 1 -> pick(r, VECTOR_FUNCTIONS) + "(" + vector(r, depth - 1) + ")";
            case 2 -> pick(r, RANGE_FUNCTIONS) + "(" + range(r, depth - 1) + ")";
            case 3 -> pick(r, AGGREGATIONS) + (r.nextBoolean() ? " by (job)" : " without (le)") + " ("
                    + vector(r, depth - 1) + ")";
            case 4 -> List.of("topk", "bottomk", "limitk", "quantile").get(r.nextInt(4)) + "(" + scalar(r, depth - 1)
                    + ", " + vector(r, depth - 1) + ")";
            case 5 -> "(" + vector(r, depth - 1) + " " + pick(r, OPERATORS) + (r.nextBoolean() ? " bool " : " ")
                    + List.of("", "on(job) ", "ignoring(le) ", "on(job) group_left ", "ignoring(x) group_right ")
                    .get(r.nextInt(5)) + vector(r, depth - 1) + ")";
            case 6 -> "(" + vector(r, depth - 1) + " " + List.of("and", "or", "unless").get(r.nextInt(3)) + " "
                    + vector(r, depth - 1) + ")";
            case 7 -> switch (r.nextInt(4)) {
                case 0 -> "histogram_quantile(" + scalar(r, depth - 1) + ", " + vector(r, depth - 1) + ")";
                case 1 -> "clamp_max(" + vector(r, depth - 1) + ", " + scalar(r, depth - 1) + ")";
                case 2 -> "round(" + vector(r, depth - 1) + ", " + scalar(r, depth - 1) + ")";
                default -> "predict_linear(" + range(r, depth - 1) + ", " + scalar(r, depth - 1) + ")";
            };
            default -> "count_values(\"v\", " + vector(r, depth - 1) + ")";
        };
    }
}
