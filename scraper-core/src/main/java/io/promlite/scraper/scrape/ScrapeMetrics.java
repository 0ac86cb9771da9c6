package io.promlite.scraper.scrape;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promlite.tsdb.AppendException;

/** promlite's own scrape counters, named as Prometheus names them. */
public final class ScrapeMetrics {
    private final Counter outOfOrder;
    private final Counter duplicate;
    private final Counter outOfBounds;
    private final Counter exceededSampleLimit;

    public ScrapeMetrics(PrometheusRegistry registry) {
        outOfOrder = Counter.builder()
                .name("prometheus_target_scrapes_sample_out_of_order_total")
                .help("Total number of samples rejected due to not being out of the expected order.")
                .register(registry);
        duplicate = Counter.builder()
                .name("prometheus_target_scrapes_sample_duplicate_timestamp_total")
                .help("Total number of samples rejected due to duplicate timestamps but different values.")
                .register(registry);
        outOfBounds = Counter.builder()
                .name("prometheus_target_scrapes_sample_out_of_bounds_total")
                .help("Total number of samples rejected due to timestamp falling outside of the time bounds.")
                .register(registry);
        exceededSampleLimit = Counter.builder()
                .name("prometheus_target_scrapes_exceeded_sample_limit_total")
                .help("Total number of scrapes that hit the sample limit and were rejected.")
                .register(registry);
    }

    void rejected(AppendException.Reason reason, long count) {
        if (count == 0) {
            return;
        }
        switch (reason) {
            case OUT_OF_ORDER -> outOfOrder.inc(count);
            case DUPLICATE -> duplicate.inc(count);
            case OUT_OF_BOUNDS -> outOfBounds.inc(count);
        }
    }

    void exceededSampleLimit() {
        exceededSampleLimit.inc();
    }
}
