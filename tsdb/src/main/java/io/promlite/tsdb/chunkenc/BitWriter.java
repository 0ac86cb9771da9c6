package io.promlite.tsdb.chunkenc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An append-only, most-significant-bit-first bit stream into a growable byte array, shared by
 * the chunk encoders ({@link XorEncoder} extends it so a head series and its open chunk are one
 * object, not three). Bytes past the written bits are always zero.
 */
class BitWriter {
    private static final VarHandle BIG_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int bitPos;

    /** A writer whose stream starts after {@code headerBytes} bytes the caller fills itself. */
    BitWriter(int initialBytes, int headerBytes) {
        start(initialBytes, headerBytes);
    }

    /** A writer without a buffer yet: {@link #start} gives it one before the first write. */
    BitWriter() {
    }

    /** Starts an empty stream in a new buffer of about {@code initialBytes}, after {@code headerBytes}. */
    final void start(int initialBytes, int headerBytes) {
        buf = new byte[(Math.max(headerBytes + 16, initialBytes) + 7) & ~7];
        bitPos = headerBytes * 8;
    }

    /** Drops the buffer; {@link #start} must come before the next write. */
    final void release() {
        buf = null;
        bitPos = 0;
    }

    /** Whether the writer has a buffer: between {@link #start} and {@link #release}. */
    final boolean started() {
        return buf != null;
    }

    /** Takes {@code other}'s stream as it is, buffer included: the two share it afterwards. */
    final void shareStream(BitWriter other) {
        buf = other.buf;
        bitPos = other.bitPos;
    }

    /** Takes a copy of {@code other}'s stream in an array of its exact length: the two are independent. */
    final void copyStream(BitWriter other) {
        buf = Arrays.copyOf(other.buf, other.length());
        bitPos = other.bitPos;
    }

    /** Empties the stream (header bytes included) for reuse, keeping the buffer. */
    void reset(int headerBytes) {
        // Bytes past the written bits are zero already (see the class comment).
        Arrays.fill(buf, 0, length(), (byte) 0);
        bitPos = headerBytes * 8;
    }

    /** The backing array; only the first {@link #length()} bytes are meaningful. */
    byte[] buffer() {
        return buf;
    }

    /** Encoded size in bytes: those written so far, the last one possibly partial. */
    int length() {
        return (bitPos + 7) >>> 3;
    }

    /**
     * Reads the byte the next write lands in, to bring it into the cache ahead of the write. Safe
     * without synchronization (callers may race a writer): the position is bounds-checked against
     * whichever buffer is seen.
     */
    int touchTail() {
        byte[] b = buf;
        int i = bitPos >>> 3;
        return b != null && i < b.length ? b[i] : 0;
    }

    /**
     * Room for {@code extra} more bits, growing to at least {@link #grownLength} (a head chunk's
     * buffer stands partly empty until its chunk is cut, for every active series, so growth is
     * sized rather than doubled: {@link XorEncoder} predicts it). No reserve for the 8-byte window
     * {@link #writeBits} touches either: near the end it writes byte by byte instead, which costs
     * a few samples per chunk a little time, where the reserve cost 8 bytes per active series.
     */
    void ensureBits(int extra) {
        int needed = (bitPos + extra + 7) >>> 3;
        if (needed > buf.length) {
            // Rounded up to 8 bytes: an array takes a multiple of 8 in memory anyway.
            buf = Arrays.copyOf(buf, (Math.max(needed, grownLength(buf.length)) + 7) & ~7);
        }
    }

    /** The length a full buffer of {@code length} bytes grows to at least: a quarter more, unless a subclass knows better. */
    int grownLength(int length) {
        return length + (length >>> 2);
    }

    /**
     * Writes the low {@code n} (1..64) bits of {@code v}, most significant first, with one 8-byte
     * read-modify-write (and a ninth byte when the field straddles it) where the buffer has 8 bytes
     * from the write position, else byte by byte. The caller has made room with {@link #ensureBits}.
     */
    void writeBits(long v, int n) {
        int byteIdx = bitPos >>> 3;
        if (byteIdx + 8 > buf.length) {
            writeBitsNearEnd(v, n);
            return;
        }
        int bitOff = bitPos & 7;
        long aligned = v << (64 - n);
        long window = (long) BIG_ENDIAN_LONG.get(buf, byteIdx);
        BIG_ENDIAN_LONG.set(buf, byteIdx, window | (aligned >>> bitOff));
        if (bitOff + n > 64) {
            buf[byteIdx + 8] |= (byte) ((aligned << (64 - bitOff)) >>> 56);
        }
        bitPos += n;
    }

    /** {@link #writeBits} a byte at a time, for the last bytes of the buffer. */
    private void writeBitsNearEnd(long v, int n) {
        while (n > 0) {
            int free = 8 - (bitPos & 7);
            int take = Math.min(free, n);
            long bits = (v >>> (n - take)) & ((1L << take) - 1);
            buf[bitPos >>> 3] |= (byte) (bits << (free - take));
            bitPos += take;
            n -= take;
        }
    }

    /** An unsigned LEB128 varint, 8 bits per group (at most 80 bits). */
    void writeUvarint(long v) {
        while ((v & ~0x7fL) != 0) {
            writeBits((v & 0x7f) | 0x80, 8);
            v >>>= 7;
        }
        writeBits(v, 8);
    }

    /** Bits {@link #writeUvarint} takes for {@code v}. */
    static int uvarintBits(long v) {
        return 8 * Math.max(1, (70 - Long.numberOfLeadingZeros(v)) / 7);
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }
}
