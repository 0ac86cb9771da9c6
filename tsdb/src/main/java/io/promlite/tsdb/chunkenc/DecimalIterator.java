package io.promlite.tsdb.chunkenc;

/** Decodes a {@link DecimalChunk}; reusable via {@link #reset}, never allocates. */
final class DecimalIterator {
    private final BitReader in = new BitReader();
    private final FieldCoding tColumn = new FieldCoding();
    private final FieldCoding vColumn = new FieldCoding();
    private int total;
    private int read;
    private boolean dod;
    private double divisor;
    private boolean integers;
    private long g;
    private long t;
    private long tDelta;
    private long n;
    private long nDelta;
    private long vBits;

    DecimalIterator reset(byte[] b, int off, int len) {
        int tag = b[off] & 0xff;
        if ((tag & ~(DecimalChunk.TAG | DecimalChunk.MODE_DOD | 0x0f)) != 0) {
            throw new IllegalStateException("unknown chunk encoding 0x" + Integer.toHexString(tag));
        }
        dod = (tag & DecimalChunk.MODE_DOD) != 0;
        int scale = tag & 0x0f;
        if (scale > DecimalChunk.MAX_SCALE) {
            throw new IllegalStateException("bad decimal chunk scale " + scale);
        }
        divisor = DecimalChunk.POW10[scale];
        integers = scale == 0;
        in.reset(b, off + 1, off + len);
        long count = in.readUvarint();
        // Chunks are compacted from XOR chunks. The bound also matters because samples of
        // all-equal columns read no bits: a damaged count must not yield billions of samples.
        if (count < 2 || count > XorChunk.MAX_SAMPLES) {
            throw new IllegalStateException("bad decimal chunk sample count " + count);
        }
        total = (int) count;
        t = BitReader.unzigzag(in.readUvarint());
        tDelta = BitReader.unzigzag(in.readUvarint());
        n = BitReader.unzigzag(in.readUvarint());
        g = in.readUvarint();
        nDelta = BitReader.unzigzag(in.readUvarint());
        tColumn.readHeader(in);
        vColumn.readHeader(in);
        read = 0;
        return this;
    }

    int numSamples() {
        return total;
    }

    boolean next() {
        if (read >= total) {
            return false;
        }
        if (read > 1) {
            tDelta += tColumn.read(in);
            long x = vColumn.read(in);
            nDelta = dod ? nDelta + x : x;
        }
        if (read > 0) {
            t += tDelta;
            n += nDelta * g;
        }
        // n / 1.0 is (double) n: integer chunks skip the division.
        vBits = Double.doubleToRawLongBits(integers ? (double) n : n / divisor);
        read++;
        return true;
    }

    long timestamp() {
        return t;
    }

    long valueBits() {
        return vBits;
    }
}
