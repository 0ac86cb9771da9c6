package io.promlite.web.api;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Query evaluation metrics, after Prometheus's {@code prometheus_engine_*}: how long evaluations
 * take (without queueing or JSON encoding), how many run now, and how many may run at once.
 */
public final class QueryMetrics {
    private final Histogram duration;
    private final Gauge inFlight;

    public QueryMetrics(PrometheusRegistry registry, int maxConcurrency) {
        duration = Histogram.builder().name("promlite_engine_query_duration_seconds")
                .help("Query evaluation time.").labelNames("type")
                .classicOnly().classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120)
                .register(registry);
        inFlight = Gauge.builder().name("promlite_engine_queries")
                .help("The current number of queries being executed.").register(registry);
        Gauge.builder().name("promlite_engine_queries_concurrent_max")
                .help("The max number of concurrent queries.").register(registry).set(maxConcurrency);
    }

    /** Marks a query started; the returned timer records it when it ends. */
    Timer start(String type) {
        inFlight.inc();
        return new Timer(type, System.nanoTime());
    }

    final class Timer {
        private final String type;
        private final long startNanos;

        private Timer(String type, long startNanos) {
            this.type = type;
            this.startNanos = startNanos;
        }

        void stop() {
            inFlight.dec();
            duration.labelValues(type).observe((System.nanoTime() - startNanos) / 1e9);
        }
    }
}
