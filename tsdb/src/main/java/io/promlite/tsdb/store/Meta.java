package io.promlite.tsdb.store;

import java.nio.charset.StandardCharsets;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Small metadata records in the default column family: the persisted time range (so opening
 * needs no scan) and the retention floor (the oldest timestamp still accepted).
 */
public final class Meta {
    private static final byte[] TIME_RANGE = "time-range".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RETENTION_FLOOR = "retention-floor".getBytes(StandardCharsets.UTF_8);

    private final RocksDB db;
    private final ColumnFamilyHandle cf;

    public Meta(RocksDB db, ColumnFamilyHandle cf) {
        this.db = db;
        this.cf = cf;
    }

    /** {minTime, maxTime}, or {Long.MAX_VALUE, Long.MIN_VALUE} when nothing was stored. */
    public long[] timeRange() throws RocksDBException {
        byte[] v = db.get(cf, TIME_RANGE);
        if (v == null) {
            return new long[] {Long.MAX_VALUE, Long.MIN_VALUE};
        }
        return new long[] {ByteCodec.getLong(v, 0), ByteCodec.getLong(v, 8)};
    }

    public void putTimeRange(WriteBatch batch, long minTime, long maxTime) throws RocksDBException {
        byte[] v = new byte[16];
        ByteCodec.putLong(v, 0, minTime);
        ByteCodec.putLong(v, 8, maxTime);
        batch.put(cf, TIME_RANGE, v);
    }

    public long retentionFloor() throws RocksDBException {
        byte[] v = db.get(cf, RETENTION_FLOOR);
        return v == null ? Long.MIN_VALUE : ByteCodec.getLong(v, 0);
    }

    public void putRetentionFloor(WriteBatch batch, long floor) throws RocksDBException {
        byte[] v = new byte[8];
        ByteCodec.putLong(v, 0, floor);
        batch.put(cf, RETENTION_FLOOR, v);
    }
}
