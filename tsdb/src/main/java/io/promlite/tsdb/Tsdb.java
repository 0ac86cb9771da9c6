package io.promlite.tsdb;

import io.promlite.tsdb.chunkenc.ChunkFilter;
import io.promlite.tsdb.chunkenc.StartTimeStream;
import io.promlite.tsdb.chunkenc.XorChunk;
import io.promlite.tsdb.head.Head;
import io.promlite.tsdb.head.MemSeries;
import io.promlite.tsdb.head.MemSeries.OpenChunks;
import io.promlite.tsdb.index.HeadPostings;
import io.promlite.tsdb.index.LongList;
import io.promlite.tsdb.index.PartitionList;
import io.promlite.tsdb.index.PostingsIndex;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.store.ByteCodec;
import io.promlite.tsdb.store.ChunkCodec;
import io.promlite.tsdb.store.ChunkCodec.StoredChunk;
import io.promlite.tsdb.store.ChunkWriter;
import io.promlite.tsdb.store.CommitLog;
import io.promlite.tsdb.store.LabelsCodec;
import io.promlite.tsdb.store.Meta;
import io.promlite.tsdb.store.Partitions;
import io.promlite.tsdb.store.RocksStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.rocksdb.Checkpoint;
import org.rocksdb.Range;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB-backed time-series store. Thread-safe.
 *
 * <p><b>Write path.</b> An appender stages samples in primitive arrays. {@code commit()} validates
 * them under one lock and writes a single RocksDB batch holding a compact log record of the
 * samples plus any new series and postings, then appends the samples to the series' in-memory
 * open chunks. Chunks reaching {@value XorChunk#TARGET_SAMPLES} samples, or a new day partition,
 * are cut and written to the {@code chunks} column family right away; open chunks are written by
 * periodic checkpoints, each of which also truncates the log.
 *
 * <p><b>Durability and fsync policy.</b> A commit returns once its batch is in RocksDB's
 * write-ahead log, i.e. handed to the operating system: an acknowledged commit survives the
 * process being killed ({@code kill -9}, an out-of-memory kill, a JVM crash). The WAL is fsynced
 * once a second by a background thread, so an operating-system crash or power loss can lose at
 * most about the last second of commits (Prometheus's WAL, too, writes each commit's records to
 * its segment file before the commit returns, and fsyncs only completed segments). Opening replays
 * the log on top of the persisted chunks.
 *
 * <p><b>Retention.</b> Data is kept per UTC day partition; a background task drops the partitions
 * entirely older than {@code retention} before the newest sample, and the oldest ones while the
 * store exceeds {@code retentionBytes}. Samples older than the dropped data are rejected as out
 * of bounds.
 */
public final class Tsdb implements Storage {
    private static final Logger log = LoggerFactory.getLogger(Tsdb.class);
    /**
     * How often the head's open chunks are written so the log can be truncated. A checkpoint writes
     * every active series' open chunk: at 100 targets x 1000 series at 5 s ~0.4 s of CPU against
     * ~16 ms a second for scraping, so every 5 minutes it was ~8 % of the process's CPU. At that
     * rate the log reaches {@link #CHECKPOINT_LOG_BYTES} only after ~16 minutes, so this interval
     * comes first; higher rates hit the bound first. Replay stays short: 6M samples of 100k series
     * (5 minutes' worth) replay and checkpoint in 2.6 s (ReplayBench 100000 60), where Prometheus
     * replays back to its last head compaction, hours of samples.
     */
    static final long CHECKPOINT_INTERVAL_MS = 15 * 60_000L;
    /** A checkpoint is started early once the log grows past this, to bound replay time. */
    static final long CHECKPOINT_LOG_BYTES = 64L << 20;
    /** A checkpoint writes its chunks in batches of about this size. */
    static final long CHECKPOINT_BATCH_BYTES = 1L << 20;
    /** A commit's write batch up to this size is kept for the next commit. */
    private static final long KEPT_BATCH_BYTES = 1L << 20;
    static final long RETENTION_INTERVAL_MS = 60_000L;
    static final long WAL_SYNC_INTERVAL_MS = 1_000L;
    /** How often agent mode deletes the log records every reader has read. */
    static final long LOG_TRUNCATE_INTERVAL_MS = 1_000L;
    /** Truncated log bytes after which the log family is compacted, to give the disk space back. */
    static final long LOG_COMPACT_BYTES = 4L << 20;
    /** Series without samples for this long (in sample time) leave memory at a checkpoint. */
    static final long HEAD_IDLE_MS = 60 * 60_000L;

    private final TsdbOptions options;
    private final RocksStore store;
    private final PostingsIndex postings;
    /** The postings of the head's series: selections of recent ranges read these alone. */
    private final HeadPostings headPostings;
    private final CommitLog commitLog;
    private final Meta meta;
    private final Head head = new Head();
    private final PartitionList partitions = new PartitionList();
    private final TsdbMetrics metrics;
    private final WriteOptions writeOptions = new WriteOptions();
    /**
     * The write batch of every commit, cleared after each: a new one per commit costs two JNI
     * calls and regrowing its native buffer to the commit's size. Replaced after a commit larger
     * than {@link #KEPT_BATCH_BYTES}, whose buffer would otherwise stay. Used under the commit lock.
     */
    private WriteBatch commitBatch = new WriteBatch();
    private final ScheduledExecutorService maintenance;

    /** Serializes series creation and eviction. */
    private final Object createLock = new Object();
    /** Serializes commits, checkpoints, deletions, retention and close. */
    private final ReentrantLock commitLock = new ReentrantLock();
    /** Readers hold the read side so that close never frees RocksDB under a running read. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final TsdbAppender.StagingPool stagingPool = new TsdbAppender.StagingPool();
    private final List<MemSeries> cutSeries = new ArrayList<>();
    /** Writes the chunks of commits and checkpoints; used under the commit lock. */
    private final ChunkWriter chunkWriter = new ChunkWriter();
    private final ChunkPutter chunkPutter = new ChunkPutter();
    /** A commit's per-series scratch state, by {@link MemSeries#commitSlot}; reused under the commit lock. */
    private MemSeries[] slotSeries = new MemSeries[256];
    private long[] slotT = new long[256];
    private long[] slotBits = new long[256];
    private int[] slotPartition = new int[256];
    private boolean[] slotWritten = new boolean[256];
    private int slotsUsed;
    /** Partitions a commit lists series in for the first time; reused under the commit lock. */
    private final LongList newPartitions = new LongList();
    /** Persisted positions of the log's readers, by name; records before the lowest are unneeded. */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> logCursors =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Commits notify log readers waiting for records. */
    private final Object logSignal = new Object();
    /** The log's next sequence number at the last checkpoint: records before it fed persisted chunks. */
    private long checkpointedSeq;
    /** Where commits fold the values of their cache-warming reads, so the JIT keeps those reads. */
    @SuppressWarnings("unused")
    private int cacheTouchSink;
    private long truncatedSinceCompaction;

    private long nextId;
    /**
     * Whether every stored series is in the head: true from opening an empty store until the
     * first eviction. Then a label set the head lacks is new, and creating its series skips the
     * disk lookup (the largest cost of a new series). Guarded by {@link #createLock}.
     */
    private boolean headHoldsEveryStoredSeries;
    private volatile long minTime;
    private volatile long maxTime;
    /** Samples before this were dropped by retention; older appends are out of bounds. */
    private volatile long minValidTime;
    private volatile long samplesAppended;
    private volatile boolean checkpointRequested;
    private volatile boolean truncationRequested;
    private volatile boolean closed;

    private Tsdb(TsdbOptions options, RocksStore store) throws RocksDBException, TsdbException {
        this.options = options;
        this.store = store;
        this.postings = new PostingsIndex(store.db(), store.postings());
        // Agent mode answers no queries: the head's postings would only cost memory.
        this.headPostings = options.agentMode() ? HeadPostings.disabled() : new HeadPostings();
        this.meta = new Meta(store.db(), store.meta());
        this.checkpointedSeq = meta.logCheckpoint();
        this.commitLog = new CommitLog(store.db(), store.log(), checkpointedSeq);
        this.logCursors.putAll(meta.logCursors());
        this.metrics = new TsdbMetrics(options.registry(), head::size, this::storageBytes, commitLog::retainedBytes,
                this::rocksMemory);
        try {
            try (RocksIterator it = store.db().newIterator(store.series())) {
                it.seekToLast();
                nextId = it.isValid() ? ByteCodec.getLong(it.key(), 0) + 1 : 1;
                headHoldsEveryStoredSeries = !it.isValid();
            }
            long[] range = meta.timeRange();
            minTime = range[0];
            maxTime = range[1];
            minValidTime = meta.retentionFloor();
            try (PostingsIndex.Reader reader = postings.reader()) {
                reader.partitions(partitions);
            }
            replayLog();
            if (!headHoldsEveryStoredSeries) {
                // Stored series the log did not bring back have no sample after the newest stored one.
                headPostings.raiseCoversFrom(maxTime == Long.MAX_VALUE ? maxTime : maxTime + 1);
            }
            checkpoint();
        } catch (IllegalStateException | IllegalArgumentException e) {
            // Thrown by the decoders on malformed records.
            metrics.unregister();
            throw new TsdbException(TsdbException.Kind.CORRUPT,
                    "data directory " + options.dir() + " is corrupt (" + e.getMessage() + ")", e);
        } catch (RocksDBException | RuntimeException e) {
            metrics.unregister();
            throw e;
        }
        maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "promlite-tsdb-maintenance");
            t.setDaemon(true);
            return t;
        });
        maintenance.scheduleWithFixedDelay(() -> background("syncing the WAL", this::syncWal),
                WAL_SYNC_INTERVAL_MS, WAL_SYNC_INTERVAL_MS, TimeUnit.MILLISECONDS);
        maintenance.scheduleWithFixedDelay(() -> background("checkpointing", this::checkpoint),
                CHECKPOINT_INTERVAL_MS, CHECKPOINT_INTERVAL_MS, TimeUnit.MILLISECONDS);
        maintenance.scheduleWithFixedDelay(() -> background("applying retention", this::applyRetention),
                0, RETENTION_INTERVAL_MS, TimeUnit.MILLISECONDS);
        if (options.agentMode()) {
            maintenance.scheduleWithFixedDelay(() -> background("truncating the log", this::truncateLog),
                    LOG_TRUNCATE_INTERVAL_MS, LOG_TRUNCATE_INTERVAL_MS, TimeUnit.MILLISECONDS);
        }
    }

    public static Tsdb open(TsdbOptions options) throws TsdbException {
        RocksStore store = RocksStore.open(options.dir(), options.agentMode());
        try {
            return new Tsdb(options, store);
        } catch (RocksDBException e) {
            TsdbException t = store.translate(e);
            store.close();
            throw t;
        } catch (TsdbException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    @Override
    public Appender appender() {
        ensureOpen();
        return new TsdbAppender(this, stagingPool);
    }

    @Override
    public Querier querier(long mint, long maxt) {
        ensureOpen();
        return new TsdbQuerier(this, mint, maxt);
    }

    public TsdbStats stats() {
        return new TsdbStats(head.size(), samplesAppended, minTime, maxTime);
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

    /** The series {@code ref} names when it is still at the slot the reference carries (the fast path), else null. */
    MemSeries seriesByRef(long ref) {
        MemSeries s = head.byRef(ref);
        return s != null && !s.isEvicted() ? s : null;
    }

    /**
     * The in-memory series with the id in {@code ref}, or null when the head does not hold it
     * (evicted, or ref 0). For a reference whose slot part went stale (the id table grew or
     * reordered); its id does not.
     */
    MemSeries seriesById(long ref) {
        if (ref == 0) {
            return null;
        }
        MemSeries s = head.get(Head.idOf(ref));
        return s != null && !s.isEvicted() ? s : null;
    }

    /** See {@link Head#prefetch}. */
    int prefetch(long[] refs, int from, int to, MemSeries[] scratch) {
        return head.prefetch(refs, from, to, scratch);
    }

    /** The reference an appender hands out for {@code s}. */
    long refOf(MemSeries s) {
        return head.refOf(s);
    }

    /** The series for {@code labels}, loaded or created. */
    MemSeries series(Labels labels) {
        MemSeries s = head.get(labels);
        if (s != null) {
            return s;
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a series needs at least one label");
        }
        return read(() -> loadOrCreate(labels));
    }

    private MemSeries loadOrCreate(Labels labels) {
        synchronized (createLock) {
            MemSeries s = head.get(labels);
            if (s != null) {
                return s;
            }
            try {
                byte[] encoded = LabelsCodec.encode(labels);
                byte[] idBytes = headHoldsEveryStoredSeries ? null : store.db().get(store.labels(), encoded);
                if (idBytes == null) {
                    MemSeries created = head.add(nextId++, encoded, false);
                    headPostings.add(created.id(), created.labels());
                    return created;
                }
                try (RocksIterator chunks = store.db().newIterator(store.chunks())) {
                    return load(ByteCodec.getLong(idBytes, 0), encoded, chunks);
                }
            } catch (RocksDBException e) {
                throw failure("reading series", e);
            }
        }
    }

    /** Brings a stored series into the head, reopening its last chunk if it has room. */
    private MemSeries load(long id, byte[] encodedLabels, RocksIterator it) {
        MemSeries s = head.add(id, encodedLabels, true);
        headPostings.add(id, s.labels());
        // Every partition listing data, not just up to maxTime: while the log is replayed, chunks
        // cut after the last checkpoint may lie beyond the time range replayed so far.
        int[] stored = partitions.between(Partitions.of(minValidTime), Integer.MAX_VALUE - 1);
        for (int i = stored.length - 1; i >= 0; i--) {
            int p = stored[i];
            it.seekForPrev(ChunkCodec.key(p, id, Long.MAX_VALUE));
            if (it.isValid() && ChunkCodec.partition(it.key()) == p && ChunkCodec.seriesId(it.key()) == id) {
                StoredChunk c = StoredChunk.of(ChunkCodec.minTime(it.key()), it.value());
                XorChunk last = XorChunk.resume(c.data(), c.offset(), c.length());
                s.restore(p, last, StartTimeStream.resume(c.data(), c.offset(), c.length()),
                        last.numSamples() < XorChunk.TARGET_SAMPLES);
                break;
            }
        }
        return s;
    }

    /** Labels of a series id, from memory or disk; null when unknown. Callers hold a read guard. */
    Labels labelsOf(long id) {
        MemSeries s = head.get(id);
        if (s != null) {
            return s.labels();
        }
        byte[] b = encodedLabelsOf(id);
        return b == null ? null : LabelsCodec.decode(b);
    }

    /** {@link #labelsOf} in {@link LabelsCodec}'s encoding: a new array for a series in the head. */
    byte[] encodedLabelsOf(long id) {
        MemSeries s = head.get(id);
        if (s != null) {
            return s.encodedLabels();
        }
        try {
            return store.db().get(store.series(), seriesKey(id));
        } catch (RocksDBException e) {
            throw failure("reading series", e);
        }
    }

    /**
     * {@link #labelsOf} in the head's encoding: the series' own array for a series in the head,
     * so nothing is allocated; null when unknown. Callers hold a read guard.
     */
    byte[] headEncodedLabelsOf(long id) {
        MemSeries s = head.get(id);
        if (s != null) {
            return s.headEncodedLabels();
        }
        byte[] stored = encodedLabelsOf(id);
        return stored == null ? null : MemSeries.headEncoding(stored);
    }

    /** The in-memory series for an id, if it is in the head. */
    MemSeries headSeries(long id) {
        return head.get(id);
    }

    long minValidTime() {
        return minValidTime;
    }

    // ---- writes -------------------------------------------------------------------------

    private void replayLog() throws RocksDBException {
        long[] replayed = new long[1];
        RocksDBException[] error = new RocksDBException[1];
        // One iterator for every series the log brings back: creating one per series dominated replay.
        try (RocksIterator chunks = store.db().newIterator(store.chunks())) {
            commitLog.replay(checkpointedSeq, (id, t, bits, st) -> {
                if (error[0] != null) {
                    return;
                }
                try {
                    MemSeries s = head.get(id);
                    if (s == null) {
                        byte[] labels = store.db().get(store.series(), seriesKey(id));
                        if (labels == null) {
                            throw new IllegalStateException("log refers to unknown series " + id);
                        }
                        s = load(id, labels, chunks);
                    }
                    // Samples already in persisted chunks were checkpointed before the crash.
                    if (s.lastT() != MemSeries.NO_SAMPLE && t <= s.lastT()) {
                        return;
                    }
                    s.markStored(Partitions.of(t));
                    if (options.agentMode()) {
                        s.recordLast(t, bits);
                    } else {
                        s.appendCommitted(t, bits, st);
                    }
                    minTime = Math.min(minTime, t);
                    maxTime = Math.max(maxTime, t);
                    replayed[0]++;
                } catch (RocksDBException e) {
                    error[0] = e;
                }
            });
        }
        if (error[0] != null) {
            throw error[0];
        }
        if (replayed[0] > 0) {
            log.info("replayed {} samples of {} series from the commit log", replayed[0], head.size());
        }
    }

    /**
     * Validates and writes one appender's batch in a single RocksDB write. Samples that became
     * out of order or duplicate since they were staged (another appender committed first) are
     * dropped and counted, as Prometheus does at commit. {@code sts}: the samples' start
     * timestamps (0: none), or null when none has one.
     */
    void commit(MemSeries[] series, long[] ts, long[] bits, long[] sts, int n) {
        if (n == 0) {
            return;
        }
        int touched = 0;
        for (int i = 0; i < n; i++) {
            touched += series[i].touchOpenChunk();
        }
        cacheTouchSink = touched;
        commitLock.lock();
        try {
            ensureOpen();
            assignCommitSlots(series, n);
            long accepted = 0;
            long outOfOrder = 0;
            long duplicates = 0;
            long outOfBounds = 0;
            long batchMin = Long.MAX_VALUE;
            long batchMax = Long.MIN_VALUE;
            // Read once: a volatile and an option are loads the loop below need not repeat per sample.
            long minValid = minValidTime;
            boolean agentMode = options.agentMode();
            // The partition of the last timestamp seen: a scrape's samples share one timestamp.
            long partitionT = ts[0];
            int partition = Partitions.of(partitionT);
            commitLog.begin(sts != null, sameTime(ts, n));
            newPartitions.clear();
            WriteBatch batch = commitBatch;
            try {
                for (int i = 0; i < n; i++) {
                    MemSeries s = series[i];
                    int k = s.commitSlot;
                    long t = ts[i];
                    if (t < minValid) {
                        outOfBounds++;
                        series[i] = null;
                        continue;
                    }
                    if (slotT[k] != MemSeries.NO_SAMPLE && t <= slotT[k]) {
                        if (t < slotT[k]) {
                            outOfOrder++;
                        } else if (bits[i] != slotBits[k]) {
                            duplicates++;
                        }
                        series[i] = null;
                        continue;
                    }
                    if (!s.isPersisted() && !slotWritten[k]) {
                        byte[] encoded = s.encodedLabels();
                        batch.put(store.series(), seriesKey(s.id()), encoded);
                        batch.put(store.labels(), encoded, seriesKey(s.id()));
                        slotWritten[k] = true;
                    }
                    if (t != partitionT) {
                        partitionT = t;
                        partition = Partitions.of(t);
                    }
                    if (partition != slotPartition[k] && !agentMode) {
                        postings.add(batch, partition, s.id(), s.encodedLabels());
                        slotPartition[k] = partition;
                        if (newPartitions.size() == 0 || newPartitions.get(newPartitions.size() - 1) != partition) {
                            // Runs of one partition (a scrape's new series) listed once, not per series.
                            newPartitions.add(partition);
                        }
                    }
                    commitLog.add(s.id(), t, bits[i], sts == null ? 0 : sts[i]);
                    slotT[k] = t;
                    slotBits[k] = bits[i];
                    batchMin = Math.min(batchMin, t);
                    batchMax = Math.max(batchMax, t);
                    accepted++;
                }
                if (accepted > 0) {
                    commitLog.put(batch);
                    store.db().write(writeOptions, batch);
                    commitLog.written();
                }
            } finally {
                if (batch.getDataSize() > KEPT_BATCH_BYTES) {
                    batch.close();
                    commitBatch = new WriteBatch();
                } else {
                    batch.clear();
                }
            }
            count(outOfOrder, duplicates, outOfBounds);
            if (accepted == 0) {
                return;
            }
            for (int i = 0; i < newPartitions.size(); i++) {
                partitions.add((int) newPartitions.get(i));
            }
            cutSeries.clear();
            for (int i = 0; i < n; i++) {
                MemSeries s = series[i];
                if (s == null) {
                    continue;
                }
                s.markStored(slotPartition[s.commitSlot]);
                if (agentMode) {
                    s.recordLast(ts[i], bits[i]);
                } else if (s.appendCommitted(ts[i], bits[i], sts == null ? 0 : sts[i])) {
                    cutSeries.add(s);
                }
            }
            samplesAppended += accepted;
            metrics.samplesAppended.inc(accepted);
            minTime = Math.min(minTime, batchMin);
            maxTime = Math.max(maxTime, batchMax);
            persistCutChunks();
            if (!logCursors.isEmpty()) {
                synchronized (logSignal) {
                    logSignal.notifyAll();
                }
            }
            if (options.agentMode() && options.maxLogBytes() > 0 && commitLog.retainedBytes() > options.maxLogBytes()
                    && !truncationRequested) {
                // Enforce the cap now rather than at the next periodic truncation.
                truncationRequested = true;
                maintenance.execute(() -> background("truncating the log", this::truncateLog));
            }
            if (commitLog.bytesSinceCheckpoint() > CHECKPOINT_LOG_BYTES && !checkpointRequested) {
                checkpointRequested = true;
                maintenance.execute(() -> background("checkpointing", this::checkpoint));
            }
        } catch (RocksDBException e) {
            throw failure("committing samples", e);
        } finally {
            Arrays.fill(slotSeries, 0, slotsUsed, null);
            slotsUsed = 0;
            commitLock.unlock();
        }
    }

    /** Whether the first {@code n} timestamps are all the same (a scrape's are, unless its targets expose their own). */
    private static boolean sameTime(long[] ts, int n) {
        long first = ts[0];
        for (int i = 1; i < n; i++) {
            if (ts[i] != first) {
                return false;
            }
        }
        return true;
    }

    /**
     * Gives each distinct series of a batch a scratch slot holding its state as the batch is
     * validated (several samples of one series see each other), first replacing series that left
     * the head since they were staged. A series' slot number is valid when that slot names it, so
     * numbers left over from earlier commits need no clearing.
     */
    private void assignCommitSlots(MemSeries[] series, int n) {
        if (slotSeries.length < n) {
            int cap = Math.max(n, 2 * slotSeries.length);
            slotSeries = new MemSeries[cap];
            slotT = new long[cap];
            slotBits = new long[cap];
            slotPartition = new int[cap];
            slotWritten = new boolean[cap];
        }
        int slots = 0;
        for (int i = 0; i < n; i++) {
            MemSeries s = series[i];
            if (s.isEvicted()) {
                s = loadOrCreate(s.labels());
                series[i] = s;
            }
            int k = s.commitSlot;
            if (k >= 0 && k < slots && slotSeries[k] == s) {
                continue;
            }
            k = slots++;
            // Counted as it goes: a failing load above leaves the slots so far for the commit to clear.
            slotsUsed = slots;
            s.commitSlot = k;
            slotSeries[k] = s;
            slotT[k] = s.lastT();
            slotBits[k] = s.lastBits();
            slotPartition[k] = s.indexedPartition();
            slotWritten[k] = false;
        }
    }

    void count(long outOfOrder, long duplicates, long outOfBounds) {
        if (outOfOrder > 0) {
            metrics.outOfOrder.inc(outOfOrder);
        }
        if (duplicates > 0) {
            metrics.duplicate.inc(duplicates);
        }
        if (outOfBounds > 0) {
            metrics.outOfBounds.inc(outOfBounds);
        }
    }

    /**
     * Writes the chunks this commit cut. The commit is already durable through the log, so a
     * failure here only leaves the chunks for the next checkpoint.
     */
    private void persistCutChunks() {
        if (cutSeries.isEmpty()) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            int written = 0;
            for (MemSeries s : cutSeries) {
                written += chunkPutter.put(batch, s, OpenChunks.NONE);
            }
            store.db().write(writeOptions, batch);
            for (MemSeries s : cutSeries) {
                s.markPersisted(OpenChunks.NONE);
            }
            metrics.chunksWritten.inc(written);
        } catch (RocksDBException e) {
            log.warn("writing completed chunks failed; the next checkpoint retries: {}", e.getMessage());
        } finally {
            cutSeries.clear();
        }
    }

    /**
     * Feeds a series' unpersisted chunks to the chunk writer. One instance, reused under the
     * commit lock: a checkpoint visits every head series, and a capturing lambda with its result
     * holders cost ~64 bytes per series (64 MB of garbage per checkpoint at 1M series, which
     * brought young collections, and promotions into the old generation, forward).
     */
    private final class ChunkPutter implements MemSeries.ChunkSink {
        private WriteBatch batch;
        private long seriesId;
        private int written;
        private RocksDBException error;

        int put(WriteBatch batch, MemSeries s, OpenChunks open) throws RocksDBException {
            this.batch = batch;
            this.seriesId = s.id();
            written = 0;
            error = null;
            try {
                s.unpersisted(open, this);
                if (error != null) {
                    throw error;
                }
                return written;
            } finally {
                this.batch = null;
                error = null;
            }
        }

        @Override
        public void accept(int partition, XorChunk chunk, StartTimeStream st, boolean compact) {
            if (error != null) {
                return;
            }
            try {
                chunkWriter.put(batch, store.chunks(), partition, seriesId, chunk, st, compact);
                written++;
            } catch (RocksDBException e) {
                error = e;
            }
        }
    }

    /**
     * Persists every in-memory chunk with unpersisted samples and truncates the log in the same
     * write, then lets series idle for {@link #HEAD_IDLE_MS} leave memory.
     */
    void checkpoint() throws RocksDBException {
        checkpoint(false);
    }

    /**
     * {@code closing}: store every open chunk compacted, as it will not grow in this process.
     * Otherwise open chunks of active series are stored raw: compacting costs decoding and
     * re-encoding the chunk, and it would be redone when the chunk is cut; a raw chunk is as
     * readable, just larger until its cut rewrites it (idle series' chunks are compacted here).
     */
    private void checkpoint(boolean closing) throws RocksDBException {
        persistHead(closing);
        // Reclaim the truncated records' space now; left to compaction they would linger for long.
        lifecycle.readLock().lock();
        try {
            if (!closed) {
                commitLog.reclaimTruncated();
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** How a checkpoint stores a series' open chunk: compacted when final (closing, or about to be evicted). */
    private static OpenChunks openChunks(MemSeries s, boolean closing, long idleBefore) {
        return closing || s.lastT() < idleBefore ? OpenChunks.FINAL : OpenChunks.DIRTY_RAW;
    }

    private void persistHead(boolean closing) throws RocksDBException {
        commitLock.lock();
        try {
            if (closed) {
                return;
            }
            checkpointRequested = false;
            List<MemSeries> all = head.all();
            int written = 0;
            long idleBefore = maxTime < Long.MIN_VALUE + HEAD_IDLE_MS ? Long.MIN_VALUE : maxTime - HEAD_IDLE_MS;
            // In bounded batches: one batch holding every dirty chunk of a large head would take tens
            // of MB of native memory at once (the batch, then the memtable it lands in). A crash
            // between batches is safe: the log checkpoint moves only with the last one, and replay
            // skips samples a series' stored chunks already hold.
            try (WriteBatch batch = new WriteBatch()) {
                for (MemSeries s : all) {
                    written += chunkPutter.put(batch, s, openChunks(s, closing, idleBefore));
                    if (batch.getDataSize() >= CHECKPOINT_BATCH_BYTES) {
                        store.db().write(writeOptions, batch);
                        batch.clear();
                    }
                }
                long seq = commitLog.nextSeq();
                meta.putLogCheckpoint(batch, seq);
                meta.putTimeRange(batch, minTime, maxTime);
                store.db().write(writeOptions, batch);
                checkpointedSeq = seq;
                commitLog.checkpointed();
            }
            truncateLogLocked();
            for (MemSeries s : all) {
                s.markPersisted(openChunks(s, closing, idleBefore));
            }
            metrics.chunksWritten.inc(written);
            if (idleBefore == Long.MIN_VALUE) {
                return;
            }
            synchronized (createLock) {
                LongList evicted = new LongList();
                List<Labels> evictedLabels = new ArrayList<>();
                long lastEvictedT = Long.MIN_VALUE;
                for (MemSeries s : all) {
                    if (s.lastT() < idleBefore && !s.hasUnpersistedChunks()) {
                        head.evict(s);
                        headHoldsEveryStoredSeries = false;
                        evicted.add(s.id());
                        evictedLabels.add(s.labels());
                        lastEvictedT = Math.max(lastEvictedT, s.lastT());
                    }
                }
                // Samples of evicted series are only on disk: selections reaching back to them read the stored index.
                headPostings.remove(evicted, evictedLabels, lastEvictedT == Long.MIN_VALUE ? Long.MIN_VALUE : lastEvictedT + 1);
            }
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * Drops the day partitions entirely older than the retention time before the newest sample,
     * then the oldest ones while the store is larger than the size limit (the newest partition
     * is always kept).
     */
    void applyRetention() throws RocksDBException {
        int first;
        int keepFrom;
        commitLock.lock();
        try {
            if (closed || maxTime == Long.MIN_VALUE) {
                return;
            }
            first = Partitions.of(minTime);
            int last = Partitions.of(maxTime);
            long retentionMs = options.retention().toMillis();
            long cutoff = maxTime >= Long.MIN_VALUE + retentionMs ? maxTime - retentionMs : Long.MIN_VALUE;
            keepFrom = Math.max(first, Math.min(last, Partitions.of(cutoff)));
            if (options.retentionBytes() > 0) {
                keepFrom = Math.max(keepFrom, firstPartitionWithinSize(keepFrom, last, options.retentionBytes()));
            }
            if (keepFrom <= first) {
                return;
            }
            long newMin = firstSampleTimeFrom(keepFrom);
            long floor = Partitions.start(keepFrom);
            LongList forgotten;
            try (WriteBatch batch = new WriteBatch()) {
                batch.deleteRange(store.chunks(), Partitions.key(Integer.MIN_VALUE),
                        Partitions.key(keepFrom));
                forgotten = deleteSeriesRecordsOnlyIn(batch, keepFrom);
                postings.deletePartitions(batch, Integer.MIN_VALUE, keepFrom);
                meta.putRetentionFloor(batch, floor);
                meta.putTimeRange(batch, newMin, maxTime);
                store.db().write(writeOptions, batch);
            }
            for (int i = 0; i < forgotten.size(); i++) {
                MemSeries s = head.get(forgotten.get(i));
                if (s != null) {
                    // Its records are gone; its next commit writes them again.
                    s.markUnstored();
                }
            }
            minValidTime = floor;
            minTime = newMin;
            partitions.removeBefore(keepFrom);
            for (MemSeries s : head.all()) {
                s.dropBefore(keepFrom);
            }
            metrics.retentionDeletions.inc(keepFrom - first);
            log.info("retention removed day partitions {} to {}", first, keepFrom - 1);
        } finally {
            commitLock.unlock();
        }
        // Reclaim the space now rather than whenever compaction reaches the deleted range.
        lifecycle.readLock().lock();
        try {
            if (!closed) {
                store.db().compactRange(store.chunks(), Partitions.key(first),
                        Partitions.key(keepFrom));
                store.db().compactRange(store.postings(), Partitions.key(first),
                        Partitions.key(keepFrom));
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Deletes the series and labels records of series listed only in partitions before
     * {@code keepFrom}, so that series churn does not grow the store forever. Returns their ids.
     */
    private LongList deleteSeriesRecordsOnlyIn(WriteBatch batch, int keepFrom) throws RocksDBException {
        List<LongList> dropped = new ArrayList<>();
        List<LongList> kept = new ArrayList<>();
        try (PostingsIndex.Reader reader = postings.reader()) {
            for (int p : partitions.between(Integer.MIN_VALUE + 1, Integer.MAX_VALUE - 1)) {
                (p < keepFrom ? dropped : kept).add(reader.all(p));
            }
        }
        LongList gone = LongList.subtract(LongList.union(dropped), LongList.union(kept));
        for (int i = 0; i < gone.size(); i++) {
            byte[] key = seriesKey(gone.get(i));
            byte[] labels = store.db().get(store.series(), key);
            if (labels != null) {
                batch.delete(store.labels(), labels);
            }
            batch.delete(store.series(), key);
        }
        return gone;
    }

    /** The oldest partition such that it and all newer ones fit in {@code limit} bytes. */
    private int firstPartitionWithinSize(int from, int last, long limit) {
        List<Slice> slices = new ArrayList<>();
        List<Range> ranges = new ArrayList<>();
        int[] stored = partitions.between(from, last);
        try {
            for (int p : stored) {
                Slice start = new Slice(Partitions.key(p));
                Slice end = new Slice(Partitions.key(p + 1));
                slices.add(start);
                slices.add(end);
                ranges.add(new Range(start, end));
            }
            long[] chunkSizes = store.db().getApproximateSizes(store.chunks(), ranges,
                    org.rocksdb.SizeApproximationFlag.INCLUDE_FILES, org.rocksdb.SizeApproximationFlag.INCLUDE_MEMTABLES);
            long[] postingSizes = store.db().getApproximateSizes(store.postings(), ranges,
                    org.rocksdb.SizeApproximationFlag.INCLUDE_FILES, org.rocksdb.SizeApproximationFlag.INCLUDE_MEMTABLES);
            long total = 0;
            for (int i = stored.length - 1; i >= 0; i--) {
                total += chunkSizes[i] + postingSizes[i];
                if (total > limit) {
                    // Keep the partitions after this one, and always the newest.
                    return i == stored.length - 1 ? last : stored[i + 1];
                }
            }
            return from;
        } finally {
            slices.forEach(Slice::close);
        }
    }

    /** The oldest chunk start in partitions {@code >= partition}, on disk or in memory. */
    private long firstSampleTimeFrom(int partition) {
        long min = Long.MAX_VALUE;
        try (RocksIterator it = store.db().newIterator(store.chunks())) {
            it.seek(Partitions.key(partition));
            if (it.isValid()) {
                int p = ChunkCodec.partition(it.key());
                for (; it.isValid() && ChunkCodec.partition(it.key()) == p; it.next()) {
                    min = Math.min(min, ChunkCodec.minTime(it.key()));
                }
            }
        }
        for (MemSeries s : head.all()) {
            min = Math.min(min, s.oldestChunkTimeFrom(partition));
        }
        return min == Long.MAX_VALUE ? Partitions.start(partition) : min;
    }

    /**
     * Deletes the samples in {@code [mint, maxt]} of every series matching all matchers, as
     * Prometheus's {@code /api/v1/admin/tsdb/delete_series} does. Chunks partly in the range are
     * rewritten without the deleted samples.
     */
    public void deleteSeries(long mint, long maxt, List<Matcher> matchers) {
        commitLock.lock();
        try {
            ensureOpen();
            if (maxTime == Long.MIN_VALUE || mint > maxt) {
                return;
            }
            int from = Math.max(Partitions.of(mint), Partitions.of(minTime));
            int to = Math.min(Partitions.of(maxt), Partitions.of(maxTime));
            LongList ids;
            try (PostingsIndex.Reader reader = postings.reader()) {
                List<LongList> perPartition = new ArrayList<>();
                for (int p : partitions.between(from, to)) {
                    perPartition.add(reader.select(p, matchers));
                }
                ids = LongList.union(perPartition);
            }
            try (WriteBatch batch = new WriteBatch(); RocksIterator it = store.db().newIterator(store.chunks())) {
                for (int i = 0; i < ids.size(); i++) {
                    long id = ids.get(i);
                    for (int p : partitions.between(from, to)) {
                        rewriteChunks(batch, it, p, id, mint, maxt);
                    }
                }
                store.db().write(writeOptions, batch);
            }
            for (int i = 0; i < ids.size(); i++) {
                MemSeries s = head.get(ids.get(i));
                if (s != null) {
                    s.deleteRange(mint, maxt);
                }
            }
        } catch (RocksDBException e) {
            throw failure("deleting series", e);
        } finally {
            commitLock.unlock();
        }
    }

    private void rewriteChunks(WriteBatch batch, RocksIterator it, int p, long id, long mint, long maxt)
            throws RocksDBException {
        byte[] prefix = ChunkCodec.key(p, id, 0);
        for (it.seek(ChunkCodec.key(p, id, Long.MIN_VALUE)); it.isValid(); it.next()) {
            byte[] k = it.key();
            if (!ByteCodec.startsWith(k, prefix, 12)) {
                return;
            }
            StoredChunk c = StoredChunk.of(ChunkCodec.minTime(k), it.value());
            if (c.minTime() > maxt) {
                return;
            }
            if (!c.overlaps(mint, maxt)) {
                continue;
            }
            batch.delete(store.chunks(), k);
            XorChunk kept = ChunkFilter.without(c.data(), c.offset(), c.length(), mint, maxt);
            if (kept != null) {
                chunkWriter.put(batch, store.chunks(), p, id, kept,
                        ChunkFilter.startTimesWithout(c.data(), c.offset(), c.length(), mint, maxt), true);
            }
        }
    }

    /**
     * Writes a consistent copy of the store to {@code target} (which must not exist yet) that
     * can be opened as a data directory, as Prometheus's snapshot admin API does. Files are
     * hard-linked where the file system allows.
     */
    public void snapshot(Path target) throws TsdbException {
        lifecycle.readLock().lock();
        try (Checkpoint checkpoint = Checkpoint.create(store.db())) {
            ensureOpen();
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new TsdbException(TsdbException.Kind.IO,
                    "cannot write snapshot to " + target + " (" + e.getMessage() + ")", e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Compacts every column family, reclaiming at once the space of deleted series, dropped
     * partitions and superseded chunk versions (Prometheus's {@code clean_tombstones} admin
     * action plays a similar role).
     */
    public void compact() {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            for (var cf : store.families()) {
                store.db().compactRange(cf);
            }
        } catch (RocksDBException e) {
            throw failure("compacting", e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void syncWal() throws RocksDBException {
        lifecycle.readLock().lock();
        try {
            if (!closed) {
                store.db().syncWal();
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private long storageBytes() {
        try {
            return read(() -> {
                try {
                    return store.db().getAggregatedLongProperty("rocksdb.live-sst-files-size");
                } catch (RocksDBException e) {
                    throw failure("reading the storage size", e);
                }
            });
        } catch (IllegalStateException closedAlready) {
            return 0;
        }
    }

    /** RocksDB's memory (see {@link RocksStore#memoryUsage}), or null once closed. */
    private long[] rocksMemory() {
        try {
            return read(() -> {
                try {
                    return store.memoryUsage();
                } catch (RocksDBException e) {
                    throw failure("reading RocksDB's memory usage", e);
                }
            });
        } catch (IllegalStateException closedAlready) {
            return null;
        }
    }

    private interface Task {
        void run() throws Exception;
    }

    private void background(String what, Task task) {
        try {
            task.run();
        } catch (Exception | Error e) {
            if (!closed) {
                log.error("tsdb: {} failed", what, e);
            }
        }
    }

    // ---- the commit log's readers (remote write) ------------------------------------------

    /**
     * The log reader named {@code name}, resuming at its persisted position; a reader seen for
     * the first time starts at the end of the log (it forwards what is committed from now on).
     */
    public LogCursor logCursor(String name) {
        commitLock.lock();
        try {
            ensureOpen();
            Long position = logCursors.get(name);
            if (position == null) {
                position = commitLog.nextSeq();
                commitLogCursor(name, position);
            }
            return new LogCursor(this, name, position);
        } finally {
            commitLock.unlock();
        }
    }

    /** Names of every reader with a persisted position, opened in this process or not. */
    public java.util.Set<String> logCursorNames() {
        return java.util.Set.copyOf(logCursors.keySet());
    }

    /** Forgets a reader (a remote-write queue removed from the configuration): it holds no records back. */
    public void dropLogCursor(String name) {
        read(() -> {
            try {
                meta.deleteLogCursor(name);
            } catch (RocksDBException e) {
                throw failure("deleting a log reader", e);
            }
            logCursors.remove(name);
            return null;
        });
    }

    /** Bytes of commit-log records kept for checkpoints and readers. */
    public long logBytes() {
        return commitLog.retainedBytes();
    }

    long logEnd() {
        return commitLog.nextSeq();
    }

    long readLog(long from, int maxSamples, LogCursor.SampleSink sink) {
        return read(() -> commitLog.read(from, commitLog.nextSeq(), maxSamples, sink::accept));
    }

    boolean awaitLog(long position, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (logSignal) {
            while (commitLog.nextSeq() <= position) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || closed) {
                    return false;
                }
                logSignal.wait(left);
            }
            return true;
        }
    }

    void commitLogCursor(String name, long seq) {
        read(() -> {
            try {
                meta.putLogCursor(name, seq);
            } catch (RocksDBException e) {
                throw failure("persisting a log reader's position", e);
            }
            logCursors.put(name, seq);
            return null;
        });
    }

    private void truncateLog() throws RocksDBException {
        commitLock.lock();
        try {
            truncationRequested = false;
            if (!closed) {
                truncateLogLocked();
            }
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * Deletes the log records no one needs: fed to persisted chunks (always, in agent mode) and
     * read by every reader; then, beyond the log cap or retention, the oldest unread ones.
     */
    private void truncateLogLocked() throws RocksDBException {
        long deletable = options.agentMode() ? commitLog.nextSeq() : checkpointedSeq;
        long unneeded = deletable;
        for (long position : logCursors.values()) {
            unneeded = Math.min(unneeded, position);
        }
        long retentionMs = options.retention().toMillis();
        long minTime = maxTime == Long.MIN_VALUE || maxTime < Long.MIN_VALUE + retentionMs
                ? Long.MIN_VALUE : maxTime - retentionMs;
        long before = commitLog.retainedBytes();
        long first;
        try (WriteBatch batch = new WriteBatch()) {
            first = commitLog.truncate(batch, unneeded, deletable, options.maxLogBytes(), minTime);
            if (batch.count() == 0) {
                return;
            }
            store.db().write(writeOptions, batch);
        }
        if (first > unneeded) {
            metrics.logRecordsDropped.inc(first - unneeded);
            log.warn("commit log over its cap ({} bytes) or retention: dropped {} records not yet read by every "
                    + "remote-write queue", options.maxLogBytes(), first - unneeded);
        }
        truncatedSinceCompaction += before - commitLog.retainedBytes();
        if (truncatedSinceCompaction >= LOG_COMPACT_BYTES) {
            truncatedSinceCompaction = 0;
            commitLog.reclaimTruncated();
        }
    }

    // ---- reads --------------------------------------------------------------------------

    HeadPostings headPostings() {
        return headPostings;
    }

    PostingsIndex postings() {
        return postings;
    }

    RocksStore store() {
        return store;
    }

    long minTime() {
        return minTime;
    }

    /** The partitions holding data within {@code [mint, maxt]}, ascending. */
    int[] partitions(long mint, long maxt) {
        return partitions.between(Partitions.of(Math.max(mint, minTime)), Partitions.of(Math.min(maxt, maxTime)));
    }

    long maxTime() {
        return maxTime;
    }

    static byte[] seriesKey(long id) {
        byte[] k = new byte[8];
        ByteCodec.putLong(k, 0, id);
        return k;
    }

    static UncheckedIOException failure(String what, RocksDBException e) {
        return new UncheckedIOException(new IOException("tsdb: " + what + " failed: " + e.getMessage(), e));
    }

    /** Persists the head (so the next open replays nothing) and releases everything. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        maintenance.shutdown();
        try {
            maintenance.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commitLock.lock();
        try {
            if (closed) {
                return;
            }
            try {
                checkpoint(true);
                store.flushForShutdown();
            } catch (RocksDBException e) {
                log.error("tsdb: final checkpoint failed; the log will be replayed on next open", e);
            }
            lifecycle.writeLock().lock();
            try {
                closed = true;
                metrics.unregister();
                writeOptions.close();
                commitBatch.close();
                store.close();
            } finally {
                lifecycle.writeLock().unlock();
            }
        } finally {
            commitLock.unlock();
        }
    }
}
