package io.promlite.tsdb.chunkenc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Decodes an {@link XorChunk}'s bytes sample by sample; reusable via {@link #reset}. Never
 * allocates.
 */
public final class XorIterator {
    private static final VarHandle BIG_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int bitPos;
    private int endBit;
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
        buf = b;
        total = ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
        bitPos = (off + XorChunk.HEADER_BYTES) * 8;
        endBit = (off + len) * 8;
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
            t = unzigzag(readUvarint());
            vBits = readBits(64);
        } else if (read == 1) {
            tDelta = unzigzag(readUvarint());
            t += tDelta;
            readValue();
        } else {
            long dod;
            if (readBits(1) == 0) {
                dod = 0;
            } else if (readBits(1) == 0) {
                dod = signed(readBits(14), 14);
            } else if (readBits(1) == 0) {
                dod = signed(readBits(17), 17);
            } else if (readBits(1) == 0) {
                dod = signed(readBits(20), 20);
            } else {
                dod = readBits(64);
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
        if (readBits(1) == 0) {
            return;
        }
        if (readBits(1) == 1) {
            leading = (int) readBits(5);
            int significant = (int) readBits(6);
            if (significant == 0) {
                significant = 64;
            }
            trailing = 64 - leading - significant;
        }
        int significant = 64 - leading - trailing;
        vBits ^= readBits(significant) << trailing;
    }

    private static long signed(long v, int bits) {
        return (v << (64 - bits)) >> (64 - bits);
    }

    /** Reads {@code n} (1..64) bits, most significant first, with at most two memory loads. */
    private long readBits(int n) {
        if (bitPos + n > endBit) {
            throw new IllegalStateException("chunk truncated");
        }
        int byteIdx = bitPos >>> 3;
        int bitOff = bitPos & 7;
        bitPos += n;
        long window = load64(byteIdx) << bitOff;
        if (n <= 64 - bitOff) {
            return window >>> (64 - n);
        }
        // The field extends into a ninth byte: its top (n - (64 - bitOff)) bits complete it.
        int rest = n - (64 - bitOff);
        return (window >>> (64 - n)) | ((buf[byteIdx + 8] & 0xffL) >>> (8 - rest));
    }

    /** Eight bytes big-endian from {@code i}, zero-padded past the array's end. */
    private long load64(int i) {
        if (i + 8 <= buf.length) {
            return (long) BIG_ENDIAN_LONG.get(buf, i);
        }
        long v = 0;
        for (int k = 0; k < 8; k++) {
            v = (v << 8) | (i + k < buf.length ? buf[i + k] & 0xffL : 0);
        }
        return v;
    }

    private long readUvarint() {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            long b = readBits(8);
            v |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalStateException("bad varint in chunk");
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
