package io.promlite.scraper;

import io.promlite.tsdb.model.Labels;

/** A discovered target that relabeling dropped, with the labels it was discovered with. */
public record DroppedTarget(String scrapePool, Labels discoveredLabels) {
}
