package io.promlite.scraper;

import io.promlite.tsdb.AppendException;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Querier;
import io.promlite.tsdb.Storage;
import io.promlite.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A write-only store for scraper unit tests: keeps committed samples in order and rejects
 * out-of-order and conflicting duplicate samples per series the way the real store does.
 */
public final class RecordingStorage implements Storage {
    public record Sample(Labels labels, long timestamp, double value) {
    }

    private final List<Sample> committed = new ArrayList<>();
    private final Map<Labels, Long> refs = new HashMap<>();
    private final Map<Labels, Sample> latest = new HashMap<>();
    private int commits;

    @Override
    public Appender appender() {
        return new Appender() {
            private final List<Sample> staged = new ArrayList<>();

            @Override
            public long append(long ref, Labels labels, long timestampMs, double value) throws AppendException {
                synchronized (RecordingStorage.this) {
                    Sample last = latest.get(labels);
                    for (Sample s : staged) {
                        if (s.labels().equals(labels)) {
                            last = s;
                        }
                    }
                    if (last != null && timestampMs < last.timestamp()) {
                        throw new AppendException(AppendException.Reason.OUT_OF_ORDER);
                    }
                    if (last != null && timestampMs == last.timestamp()
                            && Double.doubleToRawLongBits(value) != Double.doubleToRawLongBits(last.value())) {
                        throw new AppendException(AppendException.Reason.DUPLICATE);
                    }
                    staged.add(new Sample(labels, timestampMs, value));
                    return refs.computeIfAbsent(labels, l -> (long) refs.size() + 1);
                }
            }

            @Override
            public void commit() {
                synchronized (RecordingStorage.this) {
                    for (Sample s : staged) {
                        committed.add(s);
                        latest.put(s.labels(), s);
                    }
                    commits++;
                    staged.clear();
                }
            }

            @Override
            public void rollback() {
                staged.clear();
            }
        };
    }

    public synchronized List<Sample> samples() {
        return new ArrayList<>(committed);
    }

    /** Committed samples of series whose labels include every given name/value pair. */
    public synchronized List<Sample> samples(String... namesAndValues) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : committed) {
            boolean match = true;
            for (int i = 0; i < namesAndValues.length; i += 2) {
                match &= namesAndValues[i + 1].equals(s.labels().get(namesAndValues[i]));
            }
            if (match) {
                out.add(s);
            }
        }
        return out;
    }

    public synchronized int commits() {
        return commits;
    }

    @Override
    public Querier querier(long mint, long maxt) {
        throw new UnsupportedOperationException("the recording store is write-only");
    }

    @Override
    public void close() {
    }
}
