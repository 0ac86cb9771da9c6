package io.promlite.tsdb;

import io.promlite.tsdb.model.Matcher;
import java.util.List;

/** Reads series, label names and label values within the querier's time range. */
public interface Querier extends AutoCloseable {
    /**
     * The series matching every matcher, sorted by labels, that have at least one sample in range.
     * A series is absent unless it matches all matchers.
     */
    SeriesSet select(List<Matcher> matchers);

    /** Sorted label names of the series matching the matchers (all series when none are given). */
    List<String> labelNames(List<Matcher> matchers);

    /** Sorted distinct values of {@code name} among the series matching the matchers. */
    List<String> labelValues(String name, List<Matcher> matchers);

    @Override
    void close();
}
