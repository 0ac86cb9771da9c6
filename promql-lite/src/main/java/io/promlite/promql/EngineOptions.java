package io.promlite.promql;

import java.time.Duration;

/**
 * Limits and defaults for query evaluation; the defaults are Prometheus's
 * ({@code --query.lookback-delta=5m}, {@code --query.timeout=2m}, {@code --query.max-samples=50000000}).
 *
 * @param delayedNameRemoval Prometheus's {@code promql-delayed-name-removal} feature: functions and
 *                           operators only mark {@code __name__} for removal, and it is removed when
 *                           the query's result is returned, so e.g. {@code sum by (__name__)} over
 *                           {@code rate(...)} and {@code label_replace} can still see the name. Off by default.
 */
public record EngineOptions(Duration lookbackDelta, Duration timeout, long maxSamples, boolean delayedNameRemoval) {
    public EngineOptions(Duration lookbackDelta, Duration timeout, long maxSamples) {
        this(lookbackDelta, timeout, maxSamples, false);
    }

    public static EngineOptions defaults() {
        return new EngineOptions(Duration.ofMinutes(5), Duration.ofMinutes(2), 50_000_000);
    }

    public EngineOptions withDelayedNameRemoval(boolean enabled) {
        return new EngineOptions(lookbackDelta, timeout, maxSamples, enabled);
    }

    public EngineOptions withTimeout(Duration queryTimeout) {
        return new EngineOptions(lookbackDelta, queryTimeout, maxSamples, delayedNameRemoval);
    }
}
