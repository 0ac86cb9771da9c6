package io.promlite.scraper;

import io.promlite.tsdb.model.Labels;
import java.util.Map;

/**
 * What one active target declares about its metrics, by metric name, as
 * {@code /api/v1/targets/metadata} lists it.
 */
public record TargetMetadata(Labels target, Map<String, MetricMetadata> metrics) {
}
