package io.promlite.tsdb;

/** Something that can be read over a time range. */
public interface Queryable {
    /** A reader over samples with {@code mint <= t <= maxt} (milliseconds, inclusive). */
    Querier querier(long mint, long maxt);
}
