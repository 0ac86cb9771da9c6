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
 */
public final class XorChunk extends BitWriter {
    /** Samples per chunk before the head cuts a new one, as in Prometheus. */
    public static final int TARGET_SAMPLES = 120;
    static final int HEADER_BYTES = 2;
    static final int MAX_SAMPLES = 0x7fff;

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
        ensureBits(64 + 64 + 16);
        if (count == 0) {
            writeUvarint(BitWriter.zigzag(timestamp));
            writeBits(valueBits, 64);
            firstT = timestamp;
        } else if (count == 1) {
            tDelta = timestamp - t;
            writeUvarint(BitWriter.zigzag(tDelta));
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
        byte[] buf = buffer();
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
}
