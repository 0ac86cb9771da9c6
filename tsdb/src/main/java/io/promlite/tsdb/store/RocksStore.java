package io.promlite.tsdb.store;

import io.promlite.tsdb.TsdbException;
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
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

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
 * Blocks are LZ4-compressed, and ZSTD-compressed in the bottommost level where most data
 * settles; the commit log is short-lived and left uncompressed.
 */
public final class RocksStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private static final String[] FAMILIES = {"series", "labels", "postings", "chunks", "log"};

    private final Path dir;
    private final DBOptions dbOptions;
    private final List<AbstractNativeReference> familyResources = new ArrayList<>();
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final RocksDB db;

    private RocksStore(Path dir) throws TsdbException {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new TsdbException(TsdbException.Kind.IO,
                    "cannot create data directory " + dir + ": " + e.getMessage(), e);
        }
        dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions(true)));
        for (String name : FAMILIES) {
            descriptors.add(new ColumnFamilyDescriptor(name.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    familyOptions(!name.equals("log"))));
        }
        try {
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            closeOptions();
            throw translate(e);
        }
    }

    public static RocksStore open(Path dir) throws TsdbException {
        return new RocksStore(dir);
    }

    private ColumnFamilyOptions familyOptions(boolean compressed) {
        BloomFilter bloom = new BloomFilter(10, false);
        familyResources.add(bloom);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setFilterPolicy(bloom)
                .setBlockSize(16 * 1024);
        ColumnFamilyOptions o = new ColumnFamilyOptions()
                .setCompressionType(compressed ? CompressionType.LZ4_COMPRESSION : CompressionType.NO_COMPRESSION)
                .setBottommostCompressionType(compressed ? CompressionType.ZSTD_COMPRESSION
                        : CompressionType.NO_COMPRESSION)
                .setTableFormatConfig(table);
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

    public ColumnFamilyHandle meta() {
        return handles.get(0);
    }

    public ColumnFamilyHandle chunks() {
        return handles.get(4);
    }

    public ColumnFamilyHandle log() {
        return handles.get(5);
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
        if (detail != null && detail.contains("lock")) {
            return new TsdbException(TsdbException.Kind.LOCKED,
                    "data directory " + dir + " is locked by another running promlite (" + detail + ")", e);
        }
        return new TsdbException(TsdbException.Kind.IO,
                "I/O error on data directory " + dir + " (" + detail + ")", e);
    }

    private void closeOptions() {
        familyResources.forEach(AbstractNativeReference::close);
        dbOptions.close();
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
