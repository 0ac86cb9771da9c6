package io.promlite.tsdb.chunkenc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A growing Gorilla-style chunk: delta-of-delta timestamps and XOR-compressed float bits, after
 * the XOR chunk of Prometheus's {@code tsdb/chunkenc}.
 *
 * <p>Layout: a 2-byte big-endian sample count, then a bit stream:
 * <ul>
 *   <li>sample 0: timestamp as a zigzag varint, value as 64 raw bits;</li>
 *   <li>sample 1: timestamp delta as a varint, value XOR-encoded;</li>
 *   <li>then timestamp delta-of-delta in buckets — {@code 0} for 0, {@code 10}+14 bits,
 *       {@code 110}+17 bits, {@code 1110}+20 bits, {@code 1111}+64 bits — and the value
 *       XOR-encoded: {@code 0} when unchanged, {@code 10}+bits when the meaningful bits fit the
 *       previous leading/trailing-zero window, else {@code 11}+5 bits leading zeros+6 bits
 *       length+bits.</li>
 * </ul>
 * Values are handled as raw IEEE-754 bits end to end, so every NaN payload (including the
 * staleness marker) round-trips exactly. Appending never allocates except to grow the buffer.
 * Not thread-safe.
 */
public final class XorChunk {
    private static final VarHandle BIG_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    /** Samples per chunk before the head cuts a new one, as in Prometheus. */
    public static final int TARGET_SAMPLES = 120;
    static final int HEADER_BYTES = 2;
    private static final int MAX_SAMPLES = 0xffff;

    private byte[] buf;
    private int bitPos = HEADER_BYTES * 8;
    private int count;
    private long firstT;
    private long t;
    private long tDelta;
    private long vBits;
    private int leading = 0xff;
    private int trailing;

    public XorChunk() {
        this(32);
    }

    public XorChunk(int initialBytes) {
        buf = new byte[Math.max(HEADER_BYTES + 16, initialBytes)];
    }

    /** A chunk holding the samples of an encoded one, ready for further appends. */
    public static XorChunk resume(byte[] encoded, int off, int len) {
        XorChunk c = new XorChunk(len + 16);
        XorIterator it = new XorIterator().reset(encoded, off, len);
        while (it.next()) {
            c.append(it.timestamp(), it.valueBits());
        }
        return c;
    }

    public int numSamples() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public long minTime() {
        return firstT;
    }

    public long maxTime() {
        return t;
    }

    public long lastValueBits() {
        return vBits;
    }

    /** Encoded size in bytes. */
    public int length() {
        return (bitPos + 7) >>> 3;
    }

    /** The backing array; only the first {@link #length()} bytes are meaningful. */
    public byte[] bytes() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, length());
    }

    /**
     * Appends a sample; timestamps must increase strictly (the head enforces this).
     *
     * @throws IllegalStateException when the chunk already holds 65535 samples
     */
    public void append(long timestamp, long valueBits) {
        if (count == MAX_SAMPLES) {
            throw new IllegalStateException("chunk is full");
        }
        ensureBits(64 + 64 + 16);
        if (count == 0) {
            writeUvarint(zigzag(timestamp));
            writeBits(valueBits, 64);
            firstT = timestamp;
        } else if (count == 1) {
            tDelta = timestamp - t;
            writeUvarint(zigzag(tDelta));
            writeValue(valueBits);
        } else {
            long delta = timestamp - t;
            long dod = delta - tDelta;
            if (dod == 0) {
                writeBits(0, 1);
            } else if (fits(dod, 14)) {
                writeBits(0b10, 2);
                writeBits(dod, 14);
            } else if (fits(dod, 17)) {
                writeBits(0b110, 3);
                writeBits(dod, 17);
            } else if (fits(dod, 20)) {
                writeBits(0b1110, 4);
                writeBits(dod, 20);
            } else {
                writeBits(0b1111, 4);
                writeBits(dod, 64);
            }
            tDelta = delta;
            writeValue(valueBits);
        }
        t = timestamp;
        vBits = valueBits;
        count++;
        buf[0] = (byte) (count >>> 8);
        buf[1] = (byte) count;
    }

    /** Whether {@code v} fits in a two's-complement field of {@code bits} bits. */
    static boolean fits(long v, int bits) {
        return v >= -(1L << (bits - 1)) && v < (1L << (bits - 1));
    }

    private void writeValue(long bits) {
        long xor = bits ^ vBits;
        if (xor == 0) {
            writeBits(0, 1);
            return;
        }
        int lead = Math.min(Long.numberOfLeadingZeros(xor), 31);
        int trail = Long.numberOfTrailingZeros(xor);
        if (leading != 0xff && lead >= leading && trail >= trailing) {
            writeBits(0b10, 2);
            writeBits(xor >>> trailing, 64 - leading - trailing);
            return;
        }
        leading = lead;
        trailing = trail;
        int significant = 64 - lead - trail;
        writeBits(0b11, 2);
        writeBits(lead, 5);
        // 64 significant bits is written as 0: the field is 6 bits wide and 0 cannot occur.
        writeBits(significant & 63, 6);
        writeBits(xor >>> trail, significant);
    }

    /** Room for {@code extra} more bits plus the 8-byte window {@link #writeBits} touches. */
    private void ensureBits(int extra) {
        int needed = ((bitPos + extra + 7) >>> 3) + 8;
        if (needed > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(needed, buf.length + (buf.length >>> 1)));
        }
    }

    /**
     * Writes the low {@code n} (1..64) bits of {@code v}, most significant first, with one 8-byte
     * read-modify-write (and a ninth byte when the field straddles it). Bytes past the written
     * bits are always zero, so OR-ing is enough.
     */
    private void writeBits(long v, int n) {
        int byteIdx = bitPos >>> 3;
        int bitOff = bitPos & 7;
        long aligned = v << (64 - n);
        long window = (long) BIG_ENDIAN_LONG.get(buf, byteIdx);
        BIG_ENDIAN_LONG.set(buf, byteIdx, window | (aligned >>> bitOff));
        if (bitOff + n > 64) {
            buf[byteIdx + 8] |= (byte) ((aligned << (64 - bitOff)) >>> 56);
        }
        bitPos += n;
    }

    private void writeUvarint(long v) {
        while ((v & ~0x7fL) != 0) {
            writeBits((v & 0x7f) | 0x80, 8);
            v >>>= 7;
        }
        writeBits(v, 8);
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }
}
