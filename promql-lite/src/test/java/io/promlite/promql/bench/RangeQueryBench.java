package io.promlite.promql.bench;

import io.promlite.promql.Engine;
import io.promlite.promql.EngineOptions;
import io.promlite.promql.script.TestStorages;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Storage;
import io.promlite.tsdb.model.Labels;
import java.util.List;

/**
 * A rough range-query benchmark over the real store (not run by the build):
 * {@code java -cp … io.promlite.promql.bench.RangeQueryBench [series] [hours]}.
 * Prints the median wall time of each query of a Grafana-like set.
 */
public final class RangeQueryBench {
    private static final List<String> QUERIES = List.of(
            "rate(http_requests_total[5m])",
            "sum by (job) (rate(http_requests_total[5m]))",
            "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))",
            "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
            "topk(5, sum by (instance) (rate(http_requests_total[5m])))",
            "avg_over_time(node_load1[10m])",
            "node_load1 > on(instance) group_left avg by (instance) (node_load1)",
            "max_over_time(rate(http_requests_total[1m])[30m:1m])");

    private RangeQueryBench() {
    }

    public static void main(String[] args) throws Exception {
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int hours = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long interval = 15_000;
        int samples = (int) (hours * 3_600_000L / interval);
        try (Storage storage = TestStorages.create()) {
            long loadStart = System.nanoTime();
            String[] les = {"0.1", "0.5", "1", "5", "+Inf"};
            for (int t = 0; t < samples; t++) {
                Appender app = storage.appender();
                for (int s = 0; s < series; s++) {
                    String instance = "host-" + (s % 50);
                    String job = "job-" + (s % 5);
                    app.append(0, Labels.of("__name__", "http_requests_total", "instance", instance, "job", job,
                            "code", (s % 10 == 0) ? "500" : "200", "path", "/p" + s), t * interval, t * (1 + s % 7));
                    if (s < 50) {
                        app.append(0, Labels.of("__name__", "node_load1", "instance", instance), t * interval,
                                Math.sin(t / 20.0) + s);
                        for (int b = 0; b < les.length; b++) {
                            app.append(0, Labels.of("__name__", "http_request_duration_seconds_bucket",
                                    "instance", instance, "le", les[b]), t * interval, t * (b + 1));
                        }
                    }
                }
                app.commit();
            }
            System.out.printf("loaded %d series x %d samples in %d ms%n", series + 300, samples,
                    (System.nanoTime() - loadStart) / 1_000_000);
            Engine engine = new Engine(storage, EngineOptions.defaults());
            long end = (samples - 1) * interval;
            long start = end - 3_600_000L;
            for (String q : QUERIES) {
                long[] times = new long[7];
                for (int i = 0; i < times.length; i++) {
                    long t0 = System.nanoTime();
                    engine.range(q, start, end, interval);
                    times[i] = System.nanoTime() - t0;
                }
                java.util.Arrays.sort(times);
                System.out.printf("%8.1f ms  %s%n", times[times.length / 2] / 1e6, q);
            }
        }
    }
}
