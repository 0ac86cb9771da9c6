package io.promlite.tsdb;

/**
 * A snapshot of the store's state.
 *
 * @param headSeries       series currently held in memory
 * @param samplesAppended  samples committed since the store was opened
 * @param minTime          the oldest sample's timestamp (ms), {@link Long#MAX_VALUE} when empty
 * @param maxTime          the newest sample's timestamp (ms), {@link Long#MIN_VALUE} when empty
 */
public record TsdbStats(long headSeries, long samplesAppended, long minTime, long maxTime) {
    public boolean isEmpty() {
        return minTime > maxTime;
    }
}
