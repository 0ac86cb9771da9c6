package io.promlite.tsdb.chunkenc;

import java.util.Arrays;

/**
 * A growing Gorilla-style chunk: delta-of-delta timestamps and XOR-compressed float bits, after
 * the XOR chunk of Prometheus's {@code tsdb/chunkenc}.
 *
 * <p>Layout: a 2-byte big-endian sample count (below 32768, so the first byte is below 0x80 and
 * other encodings can mark themselves with a first byte of 0x80 or more, see {@link Chunks}),
 * then a bit stream:
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
 *
 * <p>One of these is open per active series, so its state is packed: 56 bytes with its header
 * (the sample count and the XOR window as narrow fields), and the buffer grows by the exact size
 * of each sample rather than by a worst-case reserve.
 */
public final class XorChunk extends BitWriter {
    /** Samples per chunk before the head cuts a new one, as in Prometheus. */
    public static final int TARGET_SAMPLES = 120;
    static final int HEADER_BYTES = 2;
    static final int MAX_SAMPLES = 0x7fff;

    /** {@link #leading} before the first XOR window is set. */
    private static final byte NO_WINDOW = -1;

    /** Below {@link #MAX_SAMPLES}, so a short. */
    private short count;
    /** The current XOR window: leading zeros (0..31) or {@link #NO_WINDOW}, and trailing zeros (0..63). */
    private byte leading = NO_WINDOW;
    private byte trailing;
    private long firstT;
    private long t;
    private long tDelta;
    private long vBits;

    public XorChunk() {
        this(32);
    }

    public XorChunk(int initialBytes) {
        super(initialBytes, HEADER_BYTES);
    }

    /** An XOR chunk holding the samples of an encoded one of any encoding, ready for further appends. */
    public static XorChunk resume(byte[] encoded, int off, int len) {
        XorChunk c = new XorChunk(len + 16);
        ChunkIterator it = new ChunkIterator().reset(encoded, off, len);
        while (it.next()) {
            c.append(it.timestamp(), it.valueBits());
        }
        return c;
    }

    /**
     * Loads what the next {@link #append} touches into the CPU cache and returns a value derived
     * from it (callers fold it somewhere, so the read is not optimized away).
     */
    public int touch() {
        return count + touchTail();
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

    /** The backing array; only the first {@link #length()} bytes are meaningful. */
    public byte[] bytes() {
        return buffer();
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buffer(), length());
    }

    /**
     * Appends a sample; timestamps must increase strictly (the head enforces this).
     *
     * @throws IllegalStateException when the chunk already holds 32767 samples
     */
    public void append(long timestamp, long valueBits) {
        if (count == MAX_SAMPLES) {
            throw new IllegalStateException("chunk is full");
        }
        if (count == 0) {
            long zt = BitWriter.zigzag(timestamp);
            ensureBits(uvarintBits(zt) + 64);
            writeUvarint(zt);
            writeBits(valueBits, 64);
            firstT = timestamp;
        } else {
            // The value's encoding is decided first, so the buffer grows by this sample's exact size.
            long xor = valueBits ^ vBits;
            int lead = 0;
            int trail = 0;
            boolean inWindow = false;
            int valueLength = 1;
            if (xor != 0) {
                lead = Math.min(Long.numberOfLeadingZeros(xor), 31);
                trail = Long.numberOfTrailingZeros(xor);
                inWindow = leading != NO_WINDOW && lead >= leading && trail >= trailing;
                valueLength = inWindow ? 2 + 64 - leading - trailing : 2 + 5 + 6 + 64 - lead - trail;
            }
            long delta = timestamp - t;
            if (count == 1) {
                long zd = BitWriter.zigzag(delta);
                ensureBits(uvarintBits(zd) + valueLength);
                writeUvarint(zd);
            } else {
                appendDeltaOfDelta(delta - tDelta, valueLength);
            }
            tDelta = delta;
            writeValue(xor, lead, trail, inWindow);
        }
        t = timestamp;
        vBits = valueBits;
        count++;
        byte[] buf = buffer();
        buf[0] = (byte) (count >>> 8);
        buf[1] = (byte) count;
    }

    /** Makes room for the timestamp's delta-of-delta and {@code valueLength} more bits, and writes the former. */
    private void appendDeltaOfDelta(long dod, int valueLength) {
        if (dod == 0) {
            ensureBits(1 + valueLength);
            writeBits(0, 1);
        } else if (fits(dod, 14)) {
            ensureBits(2 + 14 + valueLength);
            writeBits(0b10, 2);
            writeBits(dod, 14);
        } else if (fits(dod, 17)) {
            ensureBits(3 + 17 + valueLength);
            writeBits(0b110, 3);
            writeBits(dod, 17);
        } else if (fits(dod, 20)) {
            ensureBits(4 + 20 + valueLength);
            writeBits(0b1110, 4);
            writeBits(dod, 20);
        } else {
            ensureBits(4 + 64 + valueLength);
            writeBits(0b1111, 4);
            writeBits(dod, 64);
        }
    }

    /** Whether {@code v} fits in a two's-complement field of {@code bits} bits. */
    static boolean fits(long v, int bits) {
        return v >= -(1L << (bits - 1)) && v < (1L << (bits - 1));
    }

    /** Writes a value XOR'd with the previous one, as {@link #append} decided to encode it. */
    private void writeValue(long xor, int lead, int trail, boolean inWindow) {
        if (xor == 0) {
            writeBits(0, 1);
        } else if (inWindow) {
            writeBits(0b10, 2);
            writeBits(xor >>> trailing, 64 - leading - trailing);
        } else {
            leading = (byte) lead;
            trailing = (byte) trail;
            int significant = 64 - lead - trail;
            writeBits(0b11, 2);
            writeBits(lead, 5);
            // 64 significant bits is written as 0: the field is 6 bits wide and 0 cannot occur.
            writeBits(significant & 63, 6);
            writeBits(xor >>> trail, significant);
        }
    }
}
