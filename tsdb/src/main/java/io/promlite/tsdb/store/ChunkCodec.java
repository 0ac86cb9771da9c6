package io.promlite.tsdb.store;

import io.promlite.tsdb.chunkenc.ChunkCompactor;
import io.promlite.tsdb.chunkenc.XorChunk;

/**
 * Chunk records in the {@code chunks} column family.
 *
 * <p>Key: {@code partition(4B sortable) | series id(8B) | chunk min time(8B sortable)}, so one
 * series' chunks of a day are contiguous and time-ordered, and a whole day is one key range.
 * Value: {@code uvarint(max time - min time) | chunk bytes}; the max time lets readers skip
 * chunks outside a query without decoding them. The chunk bytes are in the smaller of the XOR and
 * the decimal encoding ({@link ChunkCompactor}), or for an open chunk stored by a checkpoint in
 * its XOR encoding, read by {@code ChunkIterator}. {@link ChunkWriter} writes them.
 */
public final class ChunkCodec {
    public static final int KEY_BYTES = 20;

    private ChunkCodec() {
    }

    public static byte[] key(int partition, long seriesId, long minTime) {
        byte[] k = new byte[KEY_BYTES];
        putKey(k, partition, seriesId, minTime);
        return k;
    }

    /** Writes a key into the first {@link #KEY_BYTES} bytes of {@code k}. */
    public static void putKey(byte[] k, int partition, long seriesId, long minTime) {
        ByteCodec.putSortableInt(k, 0, partition);
        ByteCodec.putLong(k, 4, seriesId);
        ByteCodec.putSortableLong(k, 12, minTime);
    }

    public static int partition(byte[] key) {
        return ByteCodec.getSortableInt(key, 0);
    }

    public static long seriesId(byte[] key) {
        return ByteCodec.getLong(key, 4);
    }

    public static long minTime(byte[] key) {
        return ByteCodec.getSortableLong(key, 12);
    }

    /** A decoded chunk value: its time bounds and where the chunk bytes sit in {@code data}. */
    public record StoredChunk(long minTime, long maxTime, byte[] data, int offset, int length) {
        public static StoredChunk of(long minTime, byte[] value) {
            ByteReader r = new ByteReader().reset(value, 0, value.length);
            long span = r.uvarint();
            return new StoredChunk(minTime, minTime + span, value, r.position(), value.length - r.position());
        }

        public static StoredChunk of(XorChunk chunk) {
            byte[] copy = chunk.toByteArray();
            return new StoredChunk(chunk.minTime(), chunk.maxTime(), copy, 0, copy.length);
        }

        public boolean overlaps(long mint, long maxt) {
            return minTime <= maxt && maxTime >= mint;
        }
    }
}
