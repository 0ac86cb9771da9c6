package io.promlite.tsdb;

import io.promlite.tsdb.head.MemSeries;
import io.promlite.tsdb.index.LongList;
import io.promlite.tsdb.index.PostingsIndex;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.store.ByteCodec;
import io.promlite.tsdb.store.ChunkCodec;
import io.promlite.tsdb.store.ChunkCodec.StoredChunk;
import io.promlite.tsdb.store.LabelsCodec;
import java.util.ArrayList;
import java.util.Arrays;
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
            return new LazySeriesSet(partitions, new Candidate[0]);
        }
        // A recent range needs only the head's postings, which memory holds: no RocksDB access.
        LongList ids = tsdb.headPostings().selectFrom(mint, matchers);
        if (ids == null) {
            try (PostingsIndex.Reader reader = tsdb.postings().reader()) {
                ids = matchingIds(reader, partitions, matchers);
            }
        }
        // Labels are read now, to sort by: a head series' decoded labels are the symbol table's
        // shared strings, so holding them costs no more than an encoding would, and they are what
        // the consumer gets. A stored series' labels stay encoded until the consumer reaches it,
        // and its chunks are snapshotted then, batch by batch: holding every such series' decoded
        // labels and a copy of every open chunk until the last one is read would keep a large
        // select's whole data alive at once.
        Candidate[] candidates = new Candidate[ids.size()];
        int n = 0;
        boolean anyStored = false;
        for (int i = 0; i < ids.size(); i++) {
            long id = ids.get(i);
            MemSeries s = tsdb.headSeries(id);
            if (s != null) {
                if (!endsBefore(s, mint)) {
                    candidates[n++] = new Candidate(id, null, s, s.labels());
                }
                continue;
            }
            byte[] encoded = tsdb.encodedLabelsOf(id);
            if (encoded != null) {
                candidates[n++] = new Candidate(id, encoded, null, null);
                anyStored = true;
            }
        }
        Candidate[] sorted = Arrays.copyOf(candidates, n);
        if (anyStored) {
            // Stored and head series together (an older range): all compared in the stored encoding.
            for (int i = 0; i < n; i++) {
                Candidate c = sorted[i];
                if (c.encoded == null) {
                    sorted[i] = new Candidate(c.id, c.head.encodedLabels(), c.head, c.labels);
                }
            }
            Arrays.sort(sorted, (a, b) -> LabelsCodec.compare(a.encoded, b.encoded));
        } else {
            // Labels.compareTo orders as LabelsCodec.compare does; shared strings compare by identity.
            Arrays.sort(sorted, (a, b) -> a.labels.compareTo(b.labels));
        }
        return new LazySeriesSet(partitions, sorted);
    }

    /**
     * Whether a head series' newest sample is older than {@code mint}: then no sample of it is in
     * range, in memory or stored, as stored chunks only hold samples that were once in memory.
     */
    private static boolean endsBefore(MemSeries s, long mint) {
        long last = s.lastT();
        return last != MemSeries.NO_SAMPLE && last < mint;
    }

    /**
     * A matching series whose chunks are not read yet: a head series with its decoded labels, or
     * a stored one ({@code head} and {@code labels} null) with its labels in {@link LabelsCodec}'s
     * encoding, decoded only when the consumer reaches it. {@code encoded} is set for head series
     * only while sorting among stored ones.
     */
    private record Candidate(long id, byte[] encoded, MemSeries head, Labels labels) {
    }

    /**
     * Series in label order, their chunks snapshotted and read only as the consumer reaches them, in batches
     * through one RocksDB iterator each, which never outlives the store's read lock. Batches start
     * at {@value #FIRST_BATCH} series and double, so a typical select opens at most one iterator
     * and a large one a handful. Series whose range memory holds cost no RocksDB access.
     */
    private final class LazySeriesSet implements SeriesSet {
        private final int[] partitions;
        private final Candidate[] candidates;
        private final List<List<StoredChunk>> loaded = new ArrayList<>();
        /** Shares strings among the labels of the series returned. */
        private final LabelsCodec.Decoder decoder = new LabelsCodec.Decoder();
        private int batch = FIRST_BATCH;
        /** Index in {@code candidates} of {@code loaded.get(0)}. */
        private int loadedFrom;
        private int i = -1;
        private Series current;

        LazySeriesSet(int[] partitions, Candidate[] candidates) {
            this.partitions = partitions;
            this.candidates = candidates;
        }

        @Override
        public boolean next() {
            while (++i < candidates.length) {
                List<StoredChunk> chunks = chunksOf(i);
                if (!chunks.isEmpty() && hasSampleInRange(chunks)) {
                    Candidate c = candidates[i];
                    Labels labels = c.labels != null ? c.labels : decoder.decode(c.encoded);
                    current = new LoadedSeries(labels, chunks, mint, maxt);
                    return true;
                }
            }
            current = null;
            return false;
        }

        @Override
        public Series at() {
            return current;
        }

        private List<StoredChunk> chunksOf(int k) {
            if (k - loadedFrom >= loaded.size()) {
                load(k);
            }
            List<StoredChunk> chunks = loaded.get(k - loadedFrom);
            loaded.set(k - loadedFrom, null);
            return chunks;
        }

        /**
         * Snapshots the in-memory chunks of candidates {@code k, k+1, …}, then reads their stored
         * chunks, opening RocksDB only if one of them needs it. The snapshots come first: a chunk
         * leaves memory only once written, so it is then in the snapshot or in the store view
         * opened after it.
         */
        private void load(int k) {
            loaded.clear();
            loadedFrom = k;
            int end = Math.min(candidates.length, k + batch);
            batch = Math.min(batch * 2, MAX_BATCH);
            MemSeries.HeadChunks[] heads = new MemSeries.HeadChunks[end - k];
            boolean needsStore = false;
            for (int j = k; j < end; j++) {
                MemSeries s = candidates[j].head;
                MemSeries.HeadChunks head = s == null ? MemSeries.HeadChunks.NONE : s.snapshot(mint, maxt);
                heads[j - k] = head;
                needsStore |= !head.coversRange();
            }
            if (!needsStore) {
                for (MemSeries.HeadChunks head : heads) {
                    loaded.add(head.chunks());
                }
                return;
            }
            tsdb.read(() -> {
                try (RocksIterator it = tsdb.store().db().newIterator(tsdb.store().chunks())) {
                    for (int j = k; j < end; j++) {
                        loaded.add(chunks(it, partitions, candidates[j].id, heads[j - k]));
                    }
                }
                return null;
            });
        }
    }

    /**
     * How many series' stored chunks the first RocksDB iterator of a select reads. Opening an
     * iterator on a store under write load costs as much as reading a few hundred series, so
     * typical selects get by with one.
     */
    private static final int FIRST_BATCH = 1024;
    /** The most series whose chunks are held at once. */
    private static final int MAX_BATCH = 8192;

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
            if (!it.isValid()) {
                it.seekToFirst();
            } else if (!ByteCodec.startsWith(it.key(), prefix, 12)) {
                // Landed on an earlier series: the next key is this series' first chunk, if any.
                // A step is much cheaper than a second seek, and most series of a live query
                // take this path (memory holds them; their stored chunks start after mint).
                it.next();
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
        return ChunkSeriesIterator.anyInRange(chunks, mint, maxt);
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
}
