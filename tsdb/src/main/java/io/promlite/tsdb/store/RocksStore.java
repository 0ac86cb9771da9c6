package io.promlite.tsdb.store;

import io.promlite.tsdb.TsdbException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.AbstractNativeReference;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WriteBufferManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB database under the data directory and its column families.
 *
 * <ul>
 *   <li>{@code default}: a few metadata records (see {@link Meta})</li>
 *   <li>{@code series}: series id (8B) → encoded labels</li>
 *   <li>{@code labels}: encoded labels → series id (8B)</li>
 *   <li>{@code postings}: see {@link io.promlite.tsdb.index.PostingsIndex}</li>
 *   <li>{@code chunks}: see {@link ChunkCodec}</li>
 *   <li>{@code log}: see {@link CommitLog}</li>
 * </ul>
 * Chunk blocks are ZSTD-compressed at every level (7% smaller than LZ4 on the bench's data, for
 * little CPU since chunks are written once); other blocks are LZ4-compressed, and ZSTD in the
 * bottommost level where most data settles; the commit log is short-lived and left uncompressed. Memory is bounded on purpose:
 * one shared block cache, with memtables charged against a fixed budget.
 */
public final class RocksStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private static final Logger log = LoggerFactory.getLogger(RocksStore.class);


    private final Path dir;
    private final LRUCache cache;
    private final WriteBufferManager writeBufferManager;
    private final DBOptions dbOptions;
    /**
     * RocksDB's warnings and errors go to promlite's log. Without this, RocksDB writes a LOG file
     * into the data directory that repeats every option at each open and dumps statistics every
     * 10 minutes (~200 KB for a small store), none of which an operator needs.
     */
    private final org.rocksdb.Logger rocksLog = new org.rocksdb.Logger(InfoLogLevel.WARN_LEVEL) {
        @Override
        protected void log(InfoLogLevel level, String message) {
            switch (level) {
                case WARN_LEVEL -> log.warn("rocksdb: {}", message);
                case ERROR_LEVEL, FATAL_LEVEL -> log.error("rocksdb: {}", message);
                default -> {
                    // Informational and header lines (the options dump) are dropped on purpose.
                }
            }
        }
    };
    private final List<AbstractNativeReference> familyResources = new ArrayList<>();
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final RocksDB db;

    /** Block cache shared by all column families; memtables are charged to it too. */
    static final long CACHE_BYTES = 32L << 20;
    /** Total memtable memory across column families, so memory stays bounded as writes grow. */
    static final long MEMTABLE_BYTES = 16L << 20;
    /** Bounds WAL files kept alive by rarely written families (each forces a flush when exceeded). */
    static final long MAX_TOTAL_WAL_BYTES = 32L << 20;
    /**
     * WAL files kept to be written over instead of deleted. A commit's write() into a reused file
     * lands within the file's size on blocks written before: no size change to journal, no
     * preallocated extent to convert, and the kernel's write path does less (about 10 % less CPU
     * in a commit's RocksDB write, see the README). Records left from the file's previous use
     * carry that use's log number, so recovery stops before them.
     */
    static final int RECYCLED_WAL_FILES = 2;
    /** The log's memtable in a full store: its records live until the next checkpoint. */
    static final long LOG_MEMTABLE_BYTES = 8L << 20;
    /**
     * The log's memtable in agent mode, where records are deleted within seconds, once sent: it
     * fills and is flushed (to an almost empty file) more often, and holds at most 2 MiB instead of
     * 8 (with 8 MiB, RocksDB's memtables held 1.9–5.3 MB at 100k series in agent mode).
     */
    static final long AGENT_LOG_MEMTABLE_BYTES = 2L << 20;

    private final long logMemtableBytes;

    private RocksStore(Path dir, long logMemtableBytes) throws TsdbException {
        this.dir = dir;
        this.logMemtableBytes = logMemtableBytes;
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new TsdbException(TsdbException.Kind.IO,
                    "cannot create data directory " + dir + ": " + e.getMessage(), e);
        }
        cache = new LRUCache(CACHE_BYTES);
        writeBufferManager = new WriteBufferManager(MEMTABLE_BYTES, cache);
        dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setWriteBufferManager(writeBufferManager)
                .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES)
                .setRecycleLogFileNum(RECYCLED_WAL_FILES)
                .setMaxBackgroundJobs(2)
                .setLogger(rocksLog);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions(Family.POINT)));
        descriptors.add(family("series", Family.POINT));
        descriptors.add(family("labels", Family.POINT));
        descriptors.add(family("postings", Family.SCAN));
        descriptors.add(family("chunks", Family.BULK));
        descriptors.add(family("log", Family.LOG));
        try {
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            closeOptions();
            throw translate(e);
        }
    }

    /** Opens the store, tuned for agent mode's short-lived log if {@code agentMode}. */
    public static RocksStore open(Path dir, boolean agentMode) throws TsdbException {
        return new RocksStore(dir, agentMode ? AGENT_LOG_MEMTABLE_BYTES : LOG_MEMTABLE_BYTES);
    }

    /** How a column family is read and written, which decides its tuning. */
    private enum Family {
        /** Point lookups by whole key: a Bloom filter saves disk reads. */
        POINT,
        /** Prefix scans and seeks: whole-key Bloom filters would not help. */
        SCAN,
        /** The bulk of the data (chunks): larger blocks compress better. */
        BULK,
        /** Short-lived commit records, deleted at every checkpoint: no compression. */
        LOG
    }

    private ColumnFamilyDescriptor family(String name, Family kind) {
        return new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), familyOptions(kind));
    }

    private ColumnFamilyOptions familyOptions(Family kind) {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setCacheIndexAndFilterBlocks(true)
                .setBlockSize(kind == Family.BULK ? 16 * 1024 : 4 * 1024);
        if (kind == Family.POINT) {
            BloomFilter bloom = new BloomFilter(10, false);
            familyResources.add(bloom);
            table.setFilterPolicy(bloom);
        }
        boolean compressed = kind != Family.LOG;
        ColumnFamilyOptions o = new ColumnFamilyOptions()
                .setWriteBufferSize(kind == Family.LOG ? logMemtableBytes : kind == Family.BULK ? 8L << 20 : 2L << 20)
                .setCompressionType(!compressed ? CompressionType.NO_COMPRESSION
                        : kind == Family.BULK ? CompressionType.ZSTD_COMPRESSION : CompressionType.LZ4_COMPRESSION)
                .setBottommostCompressionType(compressed ? CompressionType.ZSTD_COMPRESSION
                        : CompressionType.NO_COMPRESSION)
                .setTableFormatConfig(table);
        if (kind == Family.POINT) {
            // Most lookups are for new series, i.e. misses: let the memtables answer them from a filter too.
            o.setMemtableWholeKeyFiltering(true).setMemtablePrefixBloomSizeRatio(0.05);
        }
        familyResources.add(o);
        return o;
    }

    public RocksDB db() {
        return db;
    }

    public ColumnFamilyHandle series() {
        return handles.get(1);
    }

    public ColumnFamilyHandle labels() {
        return handles.get(2);
    }

    public ColumnFamilyHandle postings() {
        return handles.get(3);
    }

    public List<ColumnFamilyHandle> families() {
        return List.copyOf(handles);
    }

    public ColumnFamilyHandle meta() {
        return handles.get(0);
    }

    public ColumnFamilyHandle chunks() {
        return handles.get(4);
    }

    public ColumnFamilyHandle log() {
        return handles.get(5);
    }

    /**
     * RocksDB's own memory, in bytes: memtables, the block cache's usage (which includes the
     * memtables' reservation in it) and table readers' index and filter blocks outside the cache.
     */
    public long[] memoryUsage() throws RocksDBException {
        return new long[] {
            db.getAggregatedLongProperty("rocksdb.cur-size-all-mem-tables"),
            cache.getUsage(),
            db.getAggregatedLongProperty("rocksdb.estimate-table-readers-mem")
        };
    }

    /** Maps a RocksDB failure to a user-facing message about the data directory. */
    public TsdbException translate(RocksDBException e) {
        Status status = e.getStatus();
        Status.Code code = status == null ? null : status.getCode();
        String detail = e.getMessage();
        if (code == Status.Code.Corruption) {
            return new TsdbException(TsdbException.Kind.CORRUPT,
                    "data directory " + dir + " is corrupt (" + detail + ")", e);
        }
        // RocksDB names its lock file LOCK: "While lock file: <dir>/LOCK: Resource temporarily
        // unavailable" (another process) or "lock hold by current process ... <dir>/LOCK".
        if (detail != null && detail.contains("LOCK")) {
            return new TsdbException(TsdbException.Kind.LOCKED,
                    "data directory " + dir + " is locked by another running promlite (" + detail + ")", e);
        }
        return new TsdbException(TsdbException.Kind.IO,
                "I/O error on data directory " + dir + " (" + detail + ")", e);
    }

    /**
     * Writes every memtable to table files and clears the commit log's deleted range, so a
     * stopped store holds no write-ahead log to replay and no dead log records on disk.
     */
    public void flushForShutdown() throws RocksDBException {
        try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
            db.flush(wait, handles);
        }
        db.compactRange(log());
    }

    private void closeOptions() {
        familyResources.forEach(AbstractNativeReference::close);
        dbOptions.close();
        rocksLog.close();
        writeBufferManager.close();
        cache.close();
    }

    @Override
    public void close() {
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
        closeOptions();
    }
}
