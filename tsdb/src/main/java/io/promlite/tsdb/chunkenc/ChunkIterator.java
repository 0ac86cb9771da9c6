package io.promlite.tsdb.chunkenc;

/**
 * Decodes a stored chunk of either encoding, told apart by its first byte ({@link XorChunk} or
 * {@link DecimalChunk}), plain or wrapped with start timestamps ({@link StartTimeChunks});
 * reusable via {@link #reset}, never allocates.
 */
public final class ChunkIterator {
    private final XorIterator xor = new XorIterator();
    private final DecimalIterator decimal = new DecimalIterator();
    private final StartTimeStream.Reader startTimes = new StartTimeStream.Reader();
    private boolean isDecimal;
    private boolean hasStartTimes;
    private long st;

    /** Starts decoding the chunk stored in {@code b[off, off + len)}. */
    public ChunkIterator reset(byte[] b, int off, int len) {
        if (len < 1) {
            throw new IllegalArgumentException("empty chunk");
        }
        hasStartTimes = StartTimeChunks.isWrapped(b[off]);
        st = 0;
        if (hasStartTimes) {
            int end = off + len;
            int p = off + 1;
            int inner = 0;
            for (int shift = 0; ; shift += 7) {
                int x = b[p++] & 0xff;
                inner |= (x & 0x7f) << shift;
                if (x < 0x80) {
                    break;
                }
            }
            startTimes.reset(b, p + inner, end);
            off = p;
            len = inner;
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
        boolean more = isDecimal ? decimal.next() : xor.next();
        if (more && hasStartTimes) {
            st = startTimes.next(timestamp());
        }
        return more;
    }

    /** The current sample's start timestamp; 0 when it has none. */
    public long startTimestamp() {
        return st;
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
