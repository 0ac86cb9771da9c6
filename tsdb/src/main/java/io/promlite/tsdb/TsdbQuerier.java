package io.promlite.tsdb;

import io.promlite.tsdb.head.MemSeries;
import io.promlite.tsdb.index.LongList;
import io.promlite.tsdb.index.PostingsIndex;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.store.ByteCodec;
import io.promlite.tsdb.store.ChunkCodec;
import io.promlite.tsdb.store.ChunkCodec.StoredChunk;
import java.util.ArrayList;
import java.util.Comparator;
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

    /** The partitions holding data in the range; empty when there is none. */
    private int[] partitions() {
        return mint > maxt ? new int[0] : tsdb.partitions(mint, maxt);
    }

    private static LongList matchingIds(PostingsIndex.Reader reader, int[] partitions, List<Matcher> matchers) {
        List<LongList> perPartition = new ArrayList<>();
        for (int p : partitions) {
            perPartition.add(reader.select(p, matchers));
        }
        return LongList.union(perPartition);
    }

    @Override
    public SeriesSet select(List<Matcher> matchers) {
        return tsdb.read(() -> doSelect(matchers));
    }

    private SeriesSet doSelect(List<Matcher> matchers) {
        int[] partitions = partitions();
        if (partitions.length == 0) {
            return new ListSeriesSet(List.of());
        }
        LongList ids;
        try (PostingsIndex.Reader reader = tsdb.postings().reader()) {
            ids = matchingIds(reader, partitions, matchers);
        }
        // Memory first, then a RocksDB iterator (a point-in-time view) created afterwards: a chunk
        // leaves memory only once written, so every chunk is in one view or the other.
        MemSeries.HeadChunks[] inMemory = new MemSeries.HeadChunks[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            MemSeries s = tsdb.headSeries(ids.get(i));
            inMemory[i] = s == null ? MemSeries.HeadChunks.NONE : s.snapshot(mint, maxt);
        }
        List<LoadedSeries> result = new ArrayList<>();
        try (RocksIterator it = tsdb.store().db().newIterator(tsdb.store().chunks())) {
            for (int i = 0; i < ids.size(); i++) {
                long id = ids.get(i);
                List<StoredChunk> chunks = chunks(it, partitions, id, inMemory[i]);
                if (chunks.isEmpty() || !hasSampleInRange(chunks)) {
                    continue;
                }
                Labels labels = tsdb.labelsOf(id);
                if (labels != null) {
                    result.add(new LoadedSeries(labels, chunks, mint, maxt));
                }
            }
        }
        result.sort((a, b) -> a.labels().compareTo(b.labels()));
        return new ListSeriesSet(result);
    }

    /**
     * The series' chunks overlapping the range, sorted by start time: the in-memory ones, and
     * the stored ones older than all of those (a stored copy of an in-memory chunk is stale).
     */
    private List<StoredChunk> chunks(RocksIterator it, int[] partitions, long id, MemSeries.HeadChunks head) {
        List<StoredChunk> memory = head.chunks();
        if (head.coversRange()) {
            return memory;
        }
        List<StoredChunk> out = new ArrayList<>();
        for (int p : partitions) {
            byte[] prefix = ChunkCodec.key(p, id, 0);
            // Start at the last chunk beginning at or before mint: it may extend into the range.
            it.seekForPrev(ChunkCodec.key(p, id, mint));
            if (!it.isValid() || !ByteCodec.startsWith(it.key(), prefix, 12)) {
                it.seek(ChunkCodec.key(p, id, Long.MIN_VALUE));
            }
            for (; it.isValid(); it.next()) {
                byte[] k = it.key();
                if (!ByteCodec.startsWith(k, prefix, 12)) {
                    break;
                }
                long chunkMin = ChunkCodec.minTime(k);
                if (chunkMin > maxt || chunkMin >= head.oldestStart()) {
                    // Beyond the range, or where memory takes over (it holds the newest chunks).
                    break;
                }
                StoredChunk c = StoredChunk.of(chunkMin, it.value());
                if (c.maxTime() >= mint) {
                    out.add(c);
                }
            }
        }
        out.addAll(memory);
        out.sort(Comparator.comparingLong(StoredChunk::minTime));
        return out;
    }

    /** Whether any sample lies in the range; decodes only when chunk bounds cannot tell. */
    private boolean hasSampleInRange(List<StoredChunk> chunks) {
        for (StoredChunk c : chunks) {
            if ((c.minTime() >= mint && c.minTime() <= maxt) || (c.maxTime() >= mint && c.maxTime() <= maxt)) {
                return true;
            }
        }
        return new ChunkSeriesIterator(chunks, mint, maxt).next();
    }

    @Override
    public List<String> labelNames(List<Matcher> matchers) {
        return tsdb.read(() -> doLabelNames(matchers));
    }

    private List<String> doLabelNames(List<Matcher> matchers) {
        int[] partitions = partitions();
        if (partitions.length == 0) {
            return List.of();
        }
        TreeSet<String> names = new TreeSet<>();
        try (PostingsIndex.Reader reader = tsdb.postings().reader()) {
            if (matchers.isEmpty()) {
                for (int p : partitions) {
                    names.addAll(reader.names(p));
                }
            } else {
                LongList ids = matchingIds(reader, partitions, matchers);
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
        int[] partitions = partitions();
        if (partitions.length == 0) {
            return List.of();
        }
        TreeSet<String> values = new TreeSet<>();
        try (PostingsIndex.Reader reader = tsdb.postings().reader()) {
            if (matchers.isEmpty()) {
                for (int p : partitions) {
                    values.addAll(reader.values(p, name));
                }
            } else {
                LongList ids = matchingIds(reader, partitions, matchers);
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

    private record LoadedSeries(Labels labels, List<StoredChunk> chunks, long mint, long maxt) implements Series {
        @Override
        public SampleIterator iterator() {
            return new ChunkSeriesIterator(chunks, mint, maxt);
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
