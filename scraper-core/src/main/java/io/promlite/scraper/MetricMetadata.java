package io.promlite.scraper;

/**
 * What targets declare about a metric, as {@code /api/v1/metadata} reports it.
 *
 * @param type Prometheus's type name: counter, gauge, histogram, gaugehistogram, summary, info,
 *             stateset or unknown (also for untyped and undeclared metrics)
 * @param help the HELP text, empty when none
 * @param unit the OpenMetrics UNIT, empty when none
 */
public record MetricMetadata(String type, String help, String unit) {
}
