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
 * @param agentMode      keep only the commit log (for remote write) and series records: no chunks,
 *                       no postings, so nothing to query (Prometheus's agent mode)
 * @param maxLogBytes    the most commit-log bytes kept for log readers that have not read them
 *                       (remote-write queues during an outage); 0 means bounded by retention only
 */
public record TsdbOptions(Path dir, Duration retention, long retentionBytes, PrometheusRegistry registry,
                          boolean agentMode, long maxLogBytes) {
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
        if (maxLogBytes < 0) {
            throw new IllegalArgumentException("maxLogBytes must be >= 0, got " + maxLogBytes);
        }
        if (retentionBytes < 0) {
            throw new IllegalArgumentException("retentionBytes must be >= 0, got " + retentionBytes);
        }
    }

    /** A full store (not agent mode) whose log is bounded by retention only. */
    public TsdbOptions(Path dir, Duration retention, long retentionBytes, PrometheusRegistry registry) {
        this(dir, retention, retentionBytes, registry, false, 0);
    }

    /** These options in agent mode, keeping at most {@code maxLogBytes} of unsent log. */
    public TsdbOptions agent(long maxLogBytes) {
        return new TsdbOptions(dir, retention, retentionBytes, registry, true, maxLogBytes);
    }

    /** 15 days of retention, no size limit, a fresh registry. */
    public static TsdbOptions defaults(Path dir) {
        return new TsdbOptions(dir, DEFAULT_RETENTION, 0, new PrometheusRegistry());
    }
}
