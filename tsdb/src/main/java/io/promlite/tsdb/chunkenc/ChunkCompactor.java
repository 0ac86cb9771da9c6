package io.promlite.tsdb.chunkenc;

/**
 * Chooses how a chunk is stored: the head appends XOR, disk keeps the smaller of the XOR and the
 * {@link DecimalChunk} encoding; {@link ChunkIterator} reads either. Reusable (scratch buffers,
 * nothing allocated per chunk once warm); not thread-safe.
 */
public final class ChunkCompactor {
    private final XorIterator xor = new XorIterator();
    private final DecimalChunk decimal = new DecimalChunk();
    private long[] ts = new long[0];
    private long[] bits = new long[0];
    private byte[] result;
    private int resultLength;

    /** Encodes the chunk; the bytes are then the first {@link #length()} of {@link #bytes()}. */
    public ChunkCompactor compact(XorChunk chunk) {
        if (!DecimalChunk.isExactDecimal(chunk.lastValueBits())) {
            // Full-precision floats: settled from one value, without decoding the chunk.
            result = chunk.bytes();
            resultLength = chunk.length();
            return this;
        }
        int count = chunk.numSamples();
        if (ts.length < count) {
            ts = new long[count];
            bits = new long[count];
        }
        xor.reset(chunk.bytes(), 0, chunk.length());
        for (int i = 0; xor.next(); i++) {
            ts[i] = xor.timestamp();
            bits[i] = xor.valueBits();
        }
        int len = decimal.encode(ts, bits, count, chunk.length());
        if (len >= 0) {
            result = decimal.bytes();
            resultLength = len;
        } else {
            result = chunk.bytes();
            resultLength = chunk.length();
        }
        return this;
    }

    /** The last compacted chunk's buffer, valid until the next {@link #compact} or append. */
    public byte[] bytes() {
        return result;
    }

    public int length() {
        return resultLength;
    }
}
