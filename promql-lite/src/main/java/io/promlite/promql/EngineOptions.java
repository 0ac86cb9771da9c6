package io.promlite.promql;

import java.time.Duration;

/**
 * Limits and defaults for query evaluation; the defaults are Prometheus's
 * ({@code --query.lookback-delta=5m}, {@code --query.timeout=2m}, {@code --query.max-samples=50000000}).
 */
public record EngineOptions(Duration lookbackDelta, Duration timeout, long maxSamples) {
    public static EngineOptions defaults() {
        return new EngineOptions(Duration.ofMinutes(5), Duration.ofMinutes(2), 50_000_000);
    }
}
