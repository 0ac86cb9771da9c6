package io.promlite.tsdb.store;

import java.nio.ByteBuffer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The {@code log} column family: one record per commit holding that commit's samples, written in
 * the same RocksDB write batch as any new series and postings, so RocksDB's WAL makes the commit
 * durable as a whole. Once a checkpoint has persisted the head chunks covering the log, the log
 * is truncated with one range delete.
 *
 * <p>Key: sequence number (8B big-endian). Value: zigzag varint of the first sample's timestamp,
 * then per sample: zigzag varint series-id delta, zigzag varint timestamp delta from the first
 * sample, and the value's 8 raw IEEE-754 bytes (raw so that NaN payloads survive).
 */
public final class CommitLog {
    private final RocksDB db;
    private final ColumnFamilyHandle cf;
    private final ByteWriter record = new ByteWriter(4096);
    private final ByteBuffer keyBuffer = ByteBuffer.allocateDirect(8);
    private ByteBuffer valueBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private long nextSeq;
    private long baseT;
    private long prevId;
    private int samples;
    private long bytesSinceTruncate;

    public CommitLog(RocksDB db, ColumnFamilyHandle cf) {
        this.db = db;
        this.cf = cf;
        try (RocksIterator it = db.newIterator(cf)) {
            it.seekToLast();
            nextSeq = it.isValid() ? ByteCodec.getLong(it.key(), 0) + 1 : 0;
        }
    }

    /** Starts a new record; not thread-safe (callers hold the commit lock). */
    public void begin() {
        record.clear();
        samples = 0;
        prevId = 0;
    }

    public void add(long seriesId, long t, long valueBits) {
        if (samples == 0) {
            baseT = t;
            record.varint(t);
        }
        record.varint(seriesId - prevId).varint(t - baseT).fixedLong(valueBits);
        prevId = seriesId;
        samples++;
    }

    /**
     * Adds the record to the batch under the next sequence number. Goes through reused direct
     * buffers: copying the record into a fresh array would be the commit path's largest allocation.
     */
    public void put(WriteBatch batch) throws RocksDBException {
        if (valueBuffer.capacity() < record.length()) {
            valueBuffer = ByteBuffer.allocateDirect(Math.max(record.length(), 2 * valueBuffer.capacity()));
        }
        keyBuffer.clear();
        keyBuffer.putLong(nextSeq++).flip();
        valueBuffer.clear();
        record.writeTo(valueBuffer);
        valueBuffer.flip();
        batch.put(cf, keyBuffer, valueBuffer);
        bytesSinceTruncate += record.length();
    }

    /** Bytes logged since the last truncation, to decide when a checkpoint is due. */
    public long bytesSinceTruncate() {
        return bytesSinceTruncate;
    }

    /** Deletes every record written so far. */
    public void truncate(WriteBatch batch) throws RocksDBException {
        batch.deleteRange(cf, seqKey(0), seqKey(nextSeq));
        bytesSinceTruncate = 0;
    }

    /** Feeds every logged sample, in commit order, to {@code sink}. */
    public void replay(SampleSink sink) {
        ByteReader r = new ByteReader();
        try (RocksIterator it = db.newIterator(cf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] v = it.value();
                r.reset(v, 0, v.length);
                if (!r.hasMore()) {
                    continue;
                }
                long base = r.varint();
                long id = 0;
                while (r.hasMore()) {
                    id += r.varint();
                    long t = base + r.varint();
                    sink.accept(id, t, r.fixedLong());
                }
            }
        }
    }

    private static byte[] seqKey(long seq) {
        byte[] k = new byte[8];
        ByteCodec.putLong(k, 0, seq);
        return k;
    }

    @FunctionalInterface
    public interface SampleSink {
        void accept(long seriesId, long t, long valueBits);
    }
}
