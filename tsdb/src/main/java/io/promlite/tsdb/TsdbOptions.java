package io.promlite.tsdb;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to open a {@link Tsdb}.
 *
 * @param dir            the data directory (created when missing)
 * @param retention      how long samples are kept, measured back from the newest sample
 * @param retentionBytes the storage size limit in bytes; 0 means unlimited
 * @param registry       where the store registers its own metrics
 */
public record TsdbOptions(Path dir, Duration retention, long retentionBytes, PrometheusRegistry registry) {
    /** Prometheus's default retention ({@code --storage.tsdb.retention.time}). */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(15);

    public TsdbOptions {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(registry, "registry");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive, got " + retention);
        }
        try {
            retention.toMillis();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("retention is too long: " + retention);
        }
        if (retentionBytes < 0) {
            throw new IllegalArgumentException("retentionBytes must be >= 0, got " + retentionBytes);
        }
    }

    /** 15 days of retention, no size limit, a fresh registry. */
    public static TsdbOptions defaults(Path dir) {
        return new TsdbOptions(dir, DEFAULT_RETENTION, 0, new PrometheusRegistry());
    }
}
