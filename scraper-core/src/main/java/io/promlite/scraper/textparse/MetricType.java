package io.promlite.scraper.textparse;

/** Metric types declared by {@code # TYPE}. */
public enum MetricType {
    COUNTER, GAUGE, HISTOGRAM, GAUGEHISTOGRAM, SUMMARY, INFO, STATESET, UNKNOWN, UNTYPED
}
