package io.promlite.tsdb;

import io.promlite.tsdb.index.LongList;
import io.promlite.tsdb.index.PostingsIndex;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.store.ByteCodec;
import io.promlite.tsdb.store.LabelsCodec;
import io.promlite.tsdb.store.Partitions;
import io.promlite.tsdb.store.RocksStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** The RocksDB-backed time-series store. Thread-safe. */
public final class Tsdb implements Storage {
    private final TsdbOptions options;
    private final RocksStore store;
    private final PostingsIndex postings;
    private final WriteOptions writeOptions = new WriteOptions();

    private final ConcurrentHashMap<Labels, MemSeries> byLabels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, MemSeries> byId = new ConcurrentHashMap<>();
    private final Object createLock = new Object();
    /** Serializes commits, deletions and close. */
    private final ReentrantLock commitLock = new ReentrantLock();
    /** Readers hold the read side so that close never frees RocksDB under a running read. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();

    private long nextId;
    private volatile long minTime = Long.MAX_VALUE;
    private volatile long maxTime = Long.MIN_VALUE;
    private volatile long samplesAppended;
    private volatile boolean closed;

    private Tsdb(TsdbOptions options, RocksStore store) throws RocksDBException {
        this.options = options;
        this.store = store;
        this.postings = new PostingsIndex(store.db(), store.postings());
        try (RocksIterator it = store.db().newIterator(store.series())) {
            it.seekToLast();
            nextId = it.isValid() ? ByteCodec.getLong(it.key(), 0) + 1 : 1;
        }
        loadTimeRange();
    }

    public static Tsdb open(TsdbOptions options) throws TsdbException {
        RocksStore store = RocksStore.open(options.dir());
        try {
            return new Tsdb(options, store);
        } catch (RocksDBException e) {
            TsdbException t = store.translate(e);
            store.close();
            throw t;
        }
    }

    TsdbOptions options() {
        return options;
    }

    @Override
    public Appender appender() {
        ensureOpen();
        return new TsdbAppender(this);
    }

    @Override
    public Querier querier(long mint, long maxt) {
        ensureOpen();
        return new TsdbQuerier(this, mint, maxt);
    }

    public TsdbStats stats() {
        return new TsdbStats(byLabels.size(), samplesAppended, minTime, maxTime);
    }

    /** Runs a read against RocksDB, failing cleanly if the store is (being) closed. */
    <T> T read(Supplier<T> op) {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            return op.get();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("tsdb is closed");
        }
    }

    // ---- series -------------------------------------------------------------------------

    /** The series for {@code ref} when it is a known id, else for {@code labels}, created if new. */
    MemSeries series(long ref, Labels labels) {
        if (ref != 0) {
            MemSeries s = byId.get(ref);
            if (s != null) {
                return s;
            }
        }
        MemSeries s = byLabels.get(labels);
        if (s != null) {
            return s;
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a series needs at least one label");
        }
        return read(() -> create(labels));
    }

    private MemSeries create(Labels labels) {
        synchronized (createLock) {
            MemSeries s = byLabels.get(labels);
            if (s != null) {
                return s;
            }
            try {
                byte[] idBytes = store.db().get(store.labels(), LabelsCodec.encode(labels));
                if (idBytes != null) {
                    s = new MemSeries(ByteCodec.getLong(idBytes, 0), labels, true);
                    loadLastSample(s);
                } else {
                    s = new MemSeries(nextId++, labels, false);
                }
            } catch (RocksDBException e) {
                throw failure("reading series", e);
            }
            byId.put(s.id, s);
            byLabels.put(labels, s);
            return s;
        }
    }

    /** Labels of a series id, from memory or disk; null when unknown. */
    Labels labelsOf(long id) {
        MemSeries s = byId.get(id);
        if (s != null) {
            return s.labels;
        }
        try {
            // Callers hold the read side of the lifecycle lock.
            byte[] b = store.db().get(store.series(), seriesKey(id));
            return b == null ? null : LabelsCodec.decode(b);
        } catch (RocksDBException e) {
            throw failure("reading series", e);
        }
    }

    private void loadLastSample(MemSeries s) throws RocksDBException {
        if (maxTime == Long.MIN_VALUE) {
            return;
        }
        try (RocksIterator it = store.db().newIterator(store.samples())) {
            for (int p = Partitions.of(maxTime); p >= Partitions.of(minTime); p--) {
                it.seekForPrev(sampleKey(p, s.id, Long.MAX_VALUE));
                if (it.isValid()) {
                    byte[] k = it.key();
                    if (ByteCodec.getSortableInt(k, 0) == p && ByteCodec.getLong(k, 4) == s.id) {
                        s.lastBits = ByteCodec.getLong(it.value(), 0);
                        s.lastT = ByteCodec.getSortableLong(k, 12);
                        s.indexedPartition = p;
                        return;
                    }
                }
            }
        }
    }

    private void loadTimeRange() {
        try (RocksIterator it = store.db().newIterator(store.samples())) {
            it.seekToFirst();
            if (!it.isValid()) {
                return;
            }
            int first = ByteCodec.getSortableInt(it.key(), 0);
            long min = Long.MAX_VALUE;
            for (; it.isValid() && ByteCodec.getSortableInt(it.key(), 0) == first; it.next()) {
                min = Math.min(min, ByteCodec.getSortableLong(it.key(), 12));
            }
            it.seekToLast();
            int last = ByteCodec.getSortableInt(it.key(), 0);
            long max = Long.MIN_VALUE;
            for (; it.isValid() && ByteCodec.getSortableInt(it.key(), 0) == last; it.prev()) {
                max = Math.max(max, ByteCodec.getSortableLong(it.key(), 12));
            }
            minTime = min;
            maxTime = max;
        }
    }

    // ---- writes -------------------------------------------------------------------------

    /**
     * Validates and writes one appender's batch in a single RocksDB write. Samples that became
     * out of order or duplicate since they were staged (another appender committed first) are
     * dropped, as Prometheus does at commit.
     */
    void commit(MemSeries[] series, long[] ts, long[] bits, int n) {
        if (n == 0) {
            return;
        }
        commitLock.lock();
        try {
            ensureOpen();
            for (int i = 0; i < n; i++) {
                MemSeries s = series[i];
                s.pendingT = s.lastT;
                s.pendingBits = s.lastBits;
                s.pendingPartition = s.indexedPartition;
            }
            long accepted = 0;
            long batchMin = Long.MAX_VALUE;
            long batchMax = Long.MIN_VALUE;
            byte[] value = new byte[8];
            try (WriteBatch batch = new WriteBatch()) {
                for (int i = 0; i < n; i++) {
                    MemSeries s = series[i];
                    long t = ts[i];
                    if (s.pendingT != MemSeries.NO_SAMPLE && t <= s.pendingT) {
                        series[i] = null;
                        continue;
                    }
                    if (!s.persisted) {
                        byte[] encoded = LabelsCodec.encode(s.labels);
                        batch.put(store.series(), seriesKey(s.id), encoded);
                        batch.put(store.labels(), encoded, seriesKey(s.id));
                    }
                    int p = Partitions.of(t);
                    if (p != s.pendingPartition) {
                        postings.add(batch, p, s.id, s.labels);
                        s.pendingPartition = p;
                    }
                    ByteCodec.putLong(value, 0, bits[i]);
                    batch.put(store.samples(), sampleKey(p, s.id, t), value);
                    s.pendingT = t;
                    s.pendingBits = bits[i];
                    batchMin = Math.min(batchMin, t);
                    batchMax = Math.max(batchMax, t);
                    accepted++;
                }
                store.db().write(writeOptions, batch);
            }
            for (int i = 0; i < n; i++) {
                MemSeries s = series[i];
                if (s != null) {
                    s.persisted = true;
                    s.indexedPartition = s.pendingPartition;
                    s.lastBits = s.pendingBits;
                    s.lastT = s.pendingT;
                }
            }
            if (accepted > 0) {
                samplesAppended += accepted;
                minTime = Math.min(minTime, batchMin);
                maxTime = Math.max(maxTime, batchMax);
            }
        } catch (RocksDBException e) {
            throw failure("committing samples", e);
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * Deletes the samples in {@code [mint, maxt]} of every series matching all matchers, as
     * Prometheus's {@code /api/v1/admin/tsdb/delete_series} does.
     */
    public void deleteSeries(long mint, long maxt, List<Matcher> matchers) {
        commitLock.lock();
        try {
            ensureOpen();
            if (maxTime == Long.MIN_VALUE) {
                return;
            }
            int from = Math.max(Partitions.of(mint), Partitions.of(minTime));
            int to = Math.min(Partitions.of(maxt), Partitions.of(maxTime));
            try (WriteBatch batch = new WriteBatch(); PostingsIndex.Reader reader = postings.reader()) {
                for (int p = from; p <= to; p++) {
                    LongList ids = reader.select(p, matchers);
                    for (int i = 0; i < ids.size(); i++) {
                        long id = ids.get(i);
                        byte[] end = ByteCodec.prefixSuccessor(sampleKey(p, id, maxt), 20);
                        batch.deleteRange(store.samples(), sampleKey(p, id, mint), end);
                    }
                }
                store.db().write(writeOptions, batch);
            }
        } catch (RocksDBException e) {
            throw failure("deleting series", e);
        } finally {
            commitLock.unlock();
        }
    }

    // ---- reads --------------------------------------------------------------------------

    PostingsIndex postings() {
        return postings;
    }

    RocksStore store() {
        return store;
    }

    long minTime() {
        return minTime;
    }

    long maxTime() {
        return maxTime;
    }

    static byte[] seriesKey(long id) {
        byte[] k = new byte[8];
        ByteCodec.putLong(k, 0, id);
        return k;
    }

    static byte[] sampleKey(int partition, long id, long t) {
        byte[] k = new byte[20];
        ByteCodec.putSortableInt(k, 0, partition);
        ByteCodec.putLong(k, 4, id);
        ByteCodec.putSortableLong(k, 12, t);
        return k;
    }

    static UncheckedIOException failure(String what, RocksDBException e) {
        return new UncheckedIOException(new IOException("tsdb: " + what + " failed: " + e.getMessage(), e));
    }

    @Override
    public void close() {
        commitLock.lock();
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            writeOptions.close();
            store.close();
        } finally {
            lifecycle.writeLock().unlock();
            commitLock.unlock();
        }
    }
}
