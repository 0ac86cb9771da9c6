package io.promlite.tsdb;

import io.promlite.tsdb.index.LongList;
import io.promlite.tsdb.index.PostingsIndex;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.store.ByteCodec;
import io.promlite.tsdb.store.Partitions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.rocksdb.RocksIterator;

/** Reads the partitions overlapping {@code [mint, maxt]}. */
final class TsdbQuerier implements Querier {
    private final Tsdb tsdb;
    private final long mint;
    private final long maxt;

    TsdbQuerier(Tsdb tsdb, long mint, long maxt) {
        this.tsdb = tsdb;
        this.mint = mint;
        this.maxt = maxt;
    }

    /** The partitions to read: the query range clipped to the stored data; empty when none. */
    private int firstPartition() {
        return Math.max(Partitions.of(mint), Partitions.of(tsdb.minTime()));
    }

    private int lastPartition() {
        return Math.min(Partitions.of(maxt), Partitions.of(tsdb.maxTime()));
    }

    private boolean empty() {
        return mint > maxt || tsdb.maxTime() == Long.MIN_VALUE || firstPartition() > lastPartition();
    }

    private LongList matchingIds(PostingsIndex.Reader reader, List<Matcher> matchers) {
        List<LongList> perPartition = new ArrayList<>();
        for (int p = firstPartition(); p <= lastPartition(); p++) {
            perPartition.add(reader.select(p, matchers));
        }
        return LongList.union(perPartition);
    }

    @Override
    public SeriesSet select(List<Matcher> matchers) {
        return tsdb.read(() -> doSelect(matchers));
    }

    private SeriesSet doSelect(List<Matcher> matchers) {
        if (empty()) {
            return new ListSeriesSet(List.of());
        }
        List<LoadedSeries> result = new ArrayList<>();
        try (PostingsIndex.Reader reader = tsdb.postings().reader();
             RocksIterator it = tsdb.store().db().newIterator(tsdb.store().samples())) {
            LongList ids = matchingIds(reader, matchers);
            for (int i = 0; i < ids.size(); i++) {
                long id = ids.get(i);
                LoadedSeries s = load(it, id);
                if (s != null) {
                    result.add(s);
                }
            }
        }
        result.sort((a, b) -> a.labels.compareTo(b.labels));
        return new ListSeriesSet(result);
    }

    private LoadedSeries load(RocksIterator it, long id) {
        long[] t = new long[16];
        long[] v = new long[16];
        int n = 0;
        for (int p = firstPartition(); p <= lastPartition(); p++) {
            byte[] start = Tsdb.sampleKey(p, id, Math.max(mint, Partitions.start(p)));
            for (it.seek(start); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (ByteCodec.getSortableInt(k, 0) != p || ByteCodec.getLong(k, 4) != id) {
                    break;
                }
                long ts = ByteCodec.getSortableLong(k, 12);
                if (ts > maxt) {
                    break;
                }
                if (n == t.length) {
                    t = Arrays.copyOf(t, n * 2);
                    v = Arrays.copyOf(v, n * 2);
                }
                t[n] = ts;
                v[n] = ByteCodec.getLong(it.value(), 0);
                n++;
            }
        }
        if (n == 0) {
            return null;
        }
        Labels labels = tsdb.labelsOf(id);
        return labels == null ? null : new LoadedSeries(labels, t, v, n);
    }

    @Override
    public List<String> labelNames(List<Matcher> matchers) {
        return tsdb.read(() -> doLabelNames(matchers));
    }

    private List<String> doLabelNames(List<Matcher> matchers) {
        if (empty()) {
            return List.of();
        }
        TreeSet<String> names = new TreeSet<>();
        try (PostingsIndex.Reader reader = tsdb.postings().reader()) {
            if (matchers.isEmpty()) {
                for (int p = firstPartition(); p <= lastPartition(); p++) {
                    names.addAll(reader.names(p));
                }
            } else {
                LongList ids = matchingIds(reader, matchers);
                for (int i = 0; i < ids.size(); i++) {
                    Labels l = tsdb.labelsOf(ids.get(i));
                    if (l != null) {
                        names.addAll(l.names());
                    }
                }
            }
        }
        return new ArrayList<>(names);
    }

    @Override
    public List<String> labelValues(String name, List<Matcher> matchers) {
        return tsdb.read(() -> doLabelValues(name, matchers));
    }

    private List<String> doLabelValues(String name, List<Matcher> matchers) {
        if (empty()) {
            return List.of();
        }
        TreeSet<String> values = new TreeSet<>();
        try (PostingsIndex.Reader reader = tsdb.postings().reader()) {
            if (matchers.isEmpty()) {
                for (int p = firstPartition(); p <= lastPartition(); p++) {
                    values.addAll(reader.values(p, name));
                }
            } else {
                LongList ids = matchingIds(reader, matchers);
                for (int i = 0; i < ids.size(); i++) {
                    Labels l = tsdb.labelsOf(ids.get(i));
                    String v = l == null ? null : l.get(name);
                    if (v != null) {
                        values.add(v);
                    }
                }
            }
        }
        return new ArrayList<>(values);
    }

    @Override
    public void close() {
    }

    private record LoadedSeries(Labels labels, long[] t, long[] v, int n) implements Series {
        @Override
        public SampleIterator iterator() {
            return new SampleIterator() {
                private int i = -1;

                @Override
                public boolean next() {
                    if (i < n) {
                        i++;
                    }
                    return i < n;
                }

                @Override
                public boolean seek(long target) {
                    if (i < 0) {
                        i = 0;
                    }
                    while (i < n && t[i] < target) {
                        i++;
                    }
                    return i < n;
                }

                @Override
                public long timestamp() {
                    return t[i];
                }

                @Override
                public double value() {
                    return Double.longBitsToDouble(v[i]);
                }
            };
        }
    }

    private static final class ListSeriesSet implements SeriesSet {
        private final List<? extends Series> series;
        private int i = -1;

        ListSeriesSet(List<? extends Series> series) {
            this.series = series;
        }

        @Override
        public boolean next() {
            if (i < series.size()) {
                i++;
            }
            return i < series.size();
        }

        @Override
        public Series at() {
            return series.get(i);
        }
    }
}
