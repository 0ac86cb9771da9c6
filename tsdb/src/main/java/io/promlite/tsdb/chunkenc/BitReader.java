package io.promlite.tsdb.chunkenc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Reads a {@link BitWriter} stream from a slice of a byte array; reusable, never allocates. */
final class BitReader {
    private static final VarHandle BIG_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int bitPos;
    private int endBit;

    /** Reads bits from byte {@code startByte} up to (not including) byte {@code endByte}. */
    void reset(byte[] b, int startByte, int endByte) {
        buf = b;
        bitPos = startByte * 8;
        endBit = endByte * 8;
    }

    /** Reads {@code n} (1..64) bits, most significant first, with at most two memory loads. */
    long readBits(int n) {
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

    /** A signed (two's-complement) field of {@code n} bits. */
    long readSigned(int n) {
        return (readBits(n) << (64 - n)) >> (64 - n);
    }

    /**
     * A field after its width prefix: {@code 0} selects width w0, {@code 10} w1, {@code 11} w2; a
     * width of 0 is the value 0. Usually one memory load for prefix and field together.
     */
    long readPrefixed(int w0, int w1, int w2, boolean signed) {
        int byteIdx = bitPos >>> 3;
        int bitOff = bitPos & 7;
        long window = load64(byteIdx) << bitOff;
        int prefix;
        int w;
        if (window >= 0) {
            prefix = 1;
            w = w0;
        } else {
            prefix = 2;
            w = (window << 1) >= 0 ? w1 : w2;
        }
        int n = prefix + w;
        if (bitPos + n > endBit) {
            throw new IllegalStateException("chunk truncated");
        }
        if (w == 0) {
            bitPos += prefix;
            return 0;
        }
        if (n <= 64 - bitOff) {
            bitPos += n;
            return signed ? (window << prefix) >> (64 - w) : (window << prefix) >>> (64 - w);
        }
        bitPos += prefix;
        return signed ? readSigned(w) : readBits(w);
    }

    long readUvarint() {
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

    static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
