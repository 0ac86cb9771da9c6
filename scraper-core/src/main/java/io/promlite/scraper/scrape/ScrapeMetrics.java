package io.promlite.scraper.scrape;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promlite.config.PromDurations;
import io.promlite.tsdb.AppendException;
import java.time.Duration;
import java.util.Map;
import java.util.function.DoubleConsumer;
import java.util.function.Supplier;

/** promlite's own scrape counters, named as Prometheus names them. */
public final class ScrapeMetrics {
    private final Counter outOfOrder;
    private final Counter duplicate;
    private final Counter outOfBounds;
    private final Counter exceededSampleLimit;
    private final Counter exceededBodySizeLimit;
    private final Summary intervalLength;

    /**
     * @param targetsPerPool the number of active targets per job, read when the registry is scraped
     */
    public ScrapeMetrics(PrometheusRegistry registry, Supplier<Map<String, Integer>> targetsPerPool) {
        outOfOrder = counter(registry, "prometheus_target_scrapes_sample_out_of_order_total",
                "Total number of samples rejected due to not being out of the expected order.");
        duplicate = counter(registry, "prometheus_target_scrapes_sample_duplicate_timestamp_total",
                "Total number of samples rejected due to duplicate timestamps but different values.");
        outOfBounds = counter(registry, "prometheus_target_scrapes_sample_out_of_bounds_total",
                "Total number of samples rejected due to timestamp falling outside of the time bounds.");
        exceededSampleLimit = counter(registry, "prometheus_target_scrapes_exceeded_sample_limit_total",
                "Total number of scrapes that hit the sample limit and were rejected.");
        exceededBodySizeLimit = counter(registry, "prometheus_target_scrapes_exceeded_body_size_limit_total",
                "Total number of scrapes that hit the body size limit.");
        intervalLength = Summary.builder()
                .name("prometheus_target_interval_length_seconds")
                .help("Actual intervals between scrapes.")
                .labelNames("interval")
                .quantile(0.01, 0.001)
                .quantile(0.05, 0.005)
                .quantile(0.5, 0.05)
                .quantile(0.9, 0.01)
                .quantile(0.99, 0.001)
                // Every scrape observes this; sampling exemplars for it would be wasted work.
                .withoutExemplars()
                .register(registry);
        GaugeWithCallback.builder()
                .name("prometheus_target_scrape_pool_targets")
                .help("Current number of targets in this scrape pool.")
                .labelNames("scrape_job")
                .callback(callback -> targetsPerPool.get().forEach((job, n) -> callback.call(n, job)))
                .register(registry);
    }

    private static Counter counter(PrometheusRegistry registry, String name, String help) {
        return Counter.builder().name(name).help(help).register(registry);
    }

    /**
     * Where a loop records the seconds between two consecutive scrape starts of a target with the
     * given configured interval; resolved once per loop, not per scrape.
     */
    DoubleConsumer intervalLength(Duration configured) {
        DistributionDataPoint point = intervalLength.labelValues(PromDurations.format(configured));
        return point::observe;
    }

    void exceededBodySizeLimit() {
        exceededBodySizeLimit.inc();
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
