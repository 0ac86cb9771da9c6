package io.promlite.scraper;

import io.promlite.tsdb.Querier;
import io.promlite.tsdb.SampleIterator;
import io.promlite.tsdb.Series;
import io.promlite.tsdb.SeriesSet;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbException;
import io.promlite.tsdb.TsdbOptions;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real RocksDB store in a temporary directory, with a reader for what the scrapes wrote. */
final class StoredSamples implements AutoCloseable {
    record Sample(Labels labels, long timestamp, double value) {
    }

    final Tsdb tsdb;

    StoredSamples(Path dir) throws TsdbException {
        this.tsdb = Tsdb.open(TsdbOptions.defaults(dir));
    }

    /** Every stored sample of the series whose labels include the given name/value pairs, by series then time. */
    List<Sample> samples(String... namesAndValues) {
        List<Matcher> matchers = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            matchers.add(Matcher.equal(namesAndValues[i], namesAndValues[i + 1]));
        }
        if (matchers.isEmpty()) {
            matchers.add(Matcher.of(Matcher.Type.REGEX, Labels.METRIC_NAME, ".+"));
        }
        List<Sample> out = new ArrayList<>();
        try (Querier q = tsdb.querier(0, Long.MAX_VALUE)) {
            SeriesSet set = q.select(matchers);
            while (set.next()) {
                Series s = set.at();
                SampleIterator it = s.iterator();
                while (it.next()) {
                    out.add(new Sample(s.labels(), it.timestamp(), it.value()));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        tsdb.close();
    }
}
