package io.promlite.tsdb.chunkenc;

/**
 * Decodes an {@link XorChunk}'s bytes sample by sample; reusable via {@link #reset}. Never
 * allocates.
 */
public final class XorIterator {
    private final BitReader in = new BitReader();
    private int total;
    private int read;
    private long t;
    private long tDelta;
    private long vBits;
    private int leading;
    private int trailing;

    /** Starts decoding the chunk stored in {@code b[off, off + len)}. */
    public XorIterator reset(byte[] b, int off, int len) {
        if (len < XorChunk.HEADER_BYTES) {
            throw new IllegalArgumentException("chunk too short: " + len + " bytes");
        }
        total = ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
        in.reset(b, off + XorChunk.HEADER_BYTES, off + len);
        read = 0;
        leading = 0;
        trailing = 0;
        return this;
    }

    public int numSamples() {
        return total;
    }

    public boolean next() {
        if (read >= total) {
            return false;
        }
        if (read == 0) {
            t = BitReader.unzigzag(in.readUvarint());
            vBits = in.readBits(64);
        } else if (read == 1) {
            tDelta = BitReader.unzigzag(in.readUvarint());
            t += tDelta;
            readValue();
        } else {
            long dod;
            if (in.readBits(1) == 0) {
                dod = 0;
            } else if (in.readBits(1) == 0) {
                dod = in.readSigned(14);
            } else if (in.readBits(1) == 0) {
                dod = in.readSigned(17);
            } else if (in.readBits(1) == 0) {
                dod = in.readSigned(20);
            } else {
                dod = in.readBits(64);
            }
            tDelta += dod;
            t += tDelta;
            readValue();
        }
        read++;
        return true;
    }

    public long timestamp() {
        return t;
    }

    public long valueBits() {
        return vBits;
    }

    public double value() {
        return Double.longBitsToDouble(vBits);
    }

    private void readValue() {
        if (in.readBits(1) == 0) {
            return;
        }
        if (in.readBits(1) == 1) {
            leading = (int) in.readBits(5);
            int significant = (int) in.readBits(6);
            if (significant == 0) {
                significant = 64;
            }
            trailing = 64 - leading - significant;
        }
        int significant = 64 - leading - trailing;
        vBits ^= in.readBits(significant) << trailing;
    }
}
