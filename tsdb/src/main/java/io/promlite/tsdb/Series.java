package io.promlite.tsdb;

import io.promlite.tsdb.model.Labels;

/** One series within a querier's time range. */
public interface Series {
    Labels labels();

    /** A fresh iterator over the series' samples in range, in time order. */
    SampleIterator iterator();
}
