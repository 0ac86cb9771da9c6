package io.promlite.tsdb;

/** A cursor over series: call {@link #next()} before each {@link #at()}. */
public interface SeriesSet {
    boolean next();

    Series at();
}
