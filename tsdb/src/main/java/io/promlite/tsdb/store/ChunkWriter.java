package io.promlite.tsdb.store;

import io.promlite.tsdb.chunkenc.ChunkCompactor;
import io.promlite.tsdb.chunkenc.StartTimeChunks;
import io.promlite.tsdb.chunkenc.StartTimeStream;
import io.promlite.tsdb.chunkenc.XorChunk;
import java.nio.ByteBuffer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Adds chunk records ({@link ChunkCodec}'s layout) to write batches through reused direct
 * buffers: the byte-array puts allocated a key and a value per chunk, and copied both again on
 * their way to RocksDB; a checkpoint writes one chunk per active series. Not thread-safe.
 */
public final class ChunkWriter {
    private final ChunkCompactor compactor = new ChunkCompactor();
    private final byte[] key = new byte[ChunkCodec.KEY_BYTES];
    private final byte[] span = new byte[10];
    private final ByteBuffer keyBuffer = ByteBuffer.allocateDirect(ChunkCodec.KEY_BYTES);
    private ByteBuffer valueBuffer = ByteBuffer.allocateDirect(4096);
    /** Scratch for chunks wrapped with their start timestamps. */
    private byte[] wrapped = new byte[0];

    /**
     * Puts {@code chunk} of series {@code seriesId} in {@code partition}; {@code compact}: in the
     * smaller encoding, else in the head's XOR encoding as it is; {@code st}: its samples' start
     * timestamps, stored after it ({@link StartTimeChunks}), or null when they have none.
     */
    public void put(WriteBatch batch, ColumnFamilyHandle cf, int partition, long seriesId, XorChunk chunk,
            StartTimeStream st, boolean compact) throws RocksDBException {
        ChunkCodec.putKey(key, partition, seriesId, chunk.minTime());
        keyBuffer.clear();
        keyBuffer.put(key).flip();

        byte[] data = chunk.bytes();
        int length = chunk.length();
        if (compact) {
            compactor.compact(chunk);
            data = compactor.bytes();
            length = compactor.length();
        }
        if (st != null) {
            int wrappedLength = StartTimeChunks.wrappedLength(length, st);
            if (wrapped.length < wrappedLength) {
                wrapped = new byte[Math.max(wrappedLength, 2 * wrapped.length)];
            }
            StartTimeChunks.wrap(data, 0, length, st, wrapped, 0);
            data = wrapped;
            length = wrappedLength;
        }
        int header = ByteCodec.putUvarint(span, 0, chunk.maxTime() - chunk.minTime());
        if (valueBuffer.capacity() < header + length) {
            valueBuffer = ByteBuffer.allocateDirect(Math.max(header + length, 2 * valueBuffer.capacity()));
        }
        valueBuffer.clear();
        valueBuffer.put(span, 0, header).put(data, 0, length).flip();
        batch.put(cf, keyBuffer, valueBuffer);
    }
}
