package io.promlite.tsdb;

/**
 * A forward cursor over one series' samples, decoded lazily. After {@link #next()} or
 * {@link #seek(long)} returns true, {@link #timestamp()} and {@link #value()} describe the
 * current sample. Once either returned false the iterator is exhausted and stays so.
 */
public interface SampleIterator {
    boolean next();

    /**
     * Moves to the first sample with a timestamp {@code >= t}; stays put if the current one
     * already is. Returns false when there is none.
     */
    boolean seek(long t);

    long timestamp();

    double value();

    /**
     * The current sample's start timestamp (the time its cumulative count started from, or a
     * delta's interval start), as Prometheus keeps it per sample; 0 when unknown or none.
     */
    default long startTimestamp() {
        return 0;
    }
}
