package io.promlite.tsdb;

import io.promlite.tsdb.model.Labels;

/**
 * Stages samples and makes them visible and durable together. One appender per scrape or
 * remote-write request; not thread-safe.
 */
public interface Appender {
    /**
     * Stages a sample.
     *
     * @param ref a series reference returned by an earlier {@code append} of the same storage,
     *            or 0 when unknown; a valid reference lets the store skip the label lookup
     * @return the series reference to pass next time for the same labels
     * @throws AppendException when this sample is rejected; the rest of the batch is unaffected
     */
    long append(long ref, Labels labels, long timestampMs, double value) throws AppendException;

    /**
     * Stages a sample for the series a reference from an earlier {@code append} names, without its
     * labels: a caller that keeps references but not label sets (a scrape cache) need not build
     * labels while the store still holds the series.
     *
     * @return the series reference to pass next time, as {@link #append} returns it; 0, staging
     *         nothing, when the store no longer knows {@code ref} (for instance it evicted the
     *         series), and the caller appends with the labels instead
     * @throws AppendException when this sample is rejected, as {@link #append} would reject it
     */
    default long appendKnown(long ref, long timestampMs, double value) throws AppendException {
        return 0;
    }

    /**
     * Stages a sample with its start timestamp {@code startTimestampMs} (0: none), otherwise as
     * {@link #append} does. A store that keeps no start timestamps stages the sample without it.
     */
    default long appendWithStart(long ref, Labels labels, long timestampMs, long startTimestampMs, double value)
            throws AppendException {
        return append(ref, labels, timestampMs, value);
    }

    /**
     * A hint that samples of the series {@code refs[from, to)} name are about to be appended with
     * {@link #appendKnown}, in about that order: the store may read what those appends need into
     * the CPU cache now, all at once, so that each append does not wait for memory on its own.
     * Stages nothing; references the store does not know (0 among them) are ignored.
     */
    default void prefetch(long[] refs, int from, int to) {
    }

    /** Makes every staged sample durable and visible, atomically. */
    void commit();

    /** Discards every staged sample. */
    void rollback();
}
