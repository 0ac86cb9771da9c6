package io.promlite.tsdb.store;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Small metadata records in the default column family: the persisted time range (so opening
 * needs no scan), the retention floor (the oldest timestamp still accepted), the commit log's
 * sequence number at the last checkpoint (where replay starts) and the log readers' positions.
 */
public final class Meta {
    private static final byte[] TIME_RANGE = "time-range".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RETENTION_FLOOR = "retention-floor".getBytes(StandardCharsets.UTF_8);

    private static final byte[] LOG_CHECKPOINT = "log-checkpoint".getBytes(StandardCharsets.UTF_8);
    private static final String LOG_CURSOR_PREFIX = "log-cursor/";

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

    /** The log's next sequence number at the last checkpoint; 0 when never checkpointed. */
    public long logCheckpoint() throws RocksDBException {
        byte[] v = db.get(cf, LOG_CHECKPOINT);
        return v == null ? 0 : ByteCodec.getLong(v, 0);
    }

    public void putLogCheckpoint(WriteBatch batch, long seq) throws RocksDBException {
        byte[] v = new byte[8];
        ByteCodec.putLong(v, 0, seq);
        batch.put(cf, LOG_CHECKPOINT, v);
    }

    /** Every persisted log reader position by reader name. */
    public Map<String, Long> logCursors() {
        Map<String, Long> out = new HashMap<>();
        byte[] prefix = LOG_CURSOR_PREFIX.getBytes(StandardCharsets.UTF_8);
        try (RocksIterator it = db.newIterator(cf)) {
            for (it.seek(prefix); it.isValid() && ByteCodec.startsWith(it.key(), prefix, prefix.length); it.next()) {
                String name = new String(it.key(), prefix.length, it.key().length - prefix.length, StandardCharsets.UTF_8);
                out.put(name, ByteCodec.getLong(it.value(), 0));
            }
        }
        return out;
    }

    public void putLogCursor(String name, long seq) throws RocksDBException {
        byte[] v = new byte[8];
        ByteCodec.putLong(v, 0, seq);
        db.put(cf, cursorKey(name), v);
    }

    public void deleteLogCursor(String name) throws RocksDBException {
        db.delete(cf, cursorKey(name));
    }

    private static byte[] cursorKey(String name) {
        return (LOG_CURSOR_PREFIX + name).getBytes(StandardCharsets.UTF_8);
    }
}
