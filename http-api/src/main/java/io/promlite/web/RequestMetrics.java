package io.promlite.web;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Per-route request counts and latencies, named as Prometheus names its own
 * ({@code prometheus_http_requests_total}, {@code prometheus_http_request_duration_seconds}),
 * with the {@code promlite_} prefix. The {@code handler} label is the route, not the raw path, so
 * the number of series stays fixed.
 */
public final class RequestMetrics {
    private final Counter requests;
    private final Histogram duration;

    public RequestMetrics(PrometheusRegistry registry) {
        requests = Counter.builder().name("promlite_http_requests_total")
                .help("Counter of HTTP requests.").labelNames("handler", "code").register(registry);
        duration = Histogram.builder().name("promlite_http_request_duration_seconds")
                .help("Histogram of latencies for HTTP requests.").labelNames("handler")
                .classicOnly().classicUpperBounds(0.1, 0.2, 0.4, 1, 3, 8, 20, 60, 120).register(registry);
    }

    void observe(String handler, int code, long startNanos) {
        requests.labelValues(handler, Integer.toString(code)).inc();
        duration.labelValues(handler).observe((System.nanoTime() - startNanos) / 1e9);
    }
}
