package io.promlite.tsdb.chunkenc;

/**
 * Decodes a stored chunk of either encoding, told apart by its first byte ({@link XorChunk} or
 * {@link DecimalChunk}); reusable via {@link #reset}, never allocates.
 */
public final class ChunkIterator {
    private final XorIterator xor = new XorIterator();
    private final DecimalIterator decimal = new DecimalIterator();
    private boolean isDecimal;

    /** Starts decoding the chunk stored in {@code b[off, off + len)}. */
    public ChunkIterator reset(byte[] b, int off, int len) {
        if (len < 1) {
            throw new IllegalArgumentException("empty chunk");
        }
        isDecimal = DecimalChunk.isDecimal(b[off]);
        if (isDecimal) {
            decimal.reset(b, off, len);
        } else {
            xor.reset(b, off, len);
        }
        return this;
    }

    public int numSamples() {
        return isDecimal ? decimal.numSamples() : xor.numSamples();
    }

    public boolean next() {
        return isDecimal ? decimal.next() : xor.next();
    }

    public long timestamp() {
        return isDecimal ? decimal.timestamp() : xor.timestamp();
    }

    public long valueBits() {
        return isDecimal ? decimal.valueBits() : xor.valueBits();
    }

    public double value() {
        return Double.longBitsToDouble(valueBits());
    }
}
