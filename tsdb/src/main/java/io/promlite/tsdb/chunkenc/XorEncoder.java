package io.promlite.tsdb.chunkenc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An XOR chunk being appended to: its encoder state and its bytes, for the classes that hold one.
 * {@link XorChunk} is such a chunk on its own; a head series extends this class to keep its open
 * chunk in its own object: one active series then costs one object instead of three (series,
 * chunk, and a second copy of the last sample), 40 bytes less per series. The state's accessors
 * are protected so that they do not become part of such a holder's public face.
 *
 * <p>Layout: a 2-byte big-endian sample count (below 32768, so the first byte is below 0x80 and
 * other encodings can mark themselves with a first byte of 0x80 or more, see
 * {@link ChunkIterator}), then a bit stream:
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
 * staleness marker) round-trips exactly. Appending never allocates except to grow the buffer,
 * which grows by the exact size of each sample rather than by a worst-case reserve.
 *
 * <p>The last sample stays known when the chunk is emptied ({@link #clearChunk}, {@link #cutChunk}),
 * as the next chunk's first sample must follow it. A chunk emptied by {@link #clearChunk} holds no
 * buffer; {@link #cutChunk} keeps it, zeroed, for the next chunk. The last sample is published
 * with release stores (the value first), so a reader using {@link #lastTimeAcquire} and
 * {@link #lastBitsAcquire} without locking sees a time with its value or a newer one. Otherwise
 * not thread-safe.
 */
public abstract class XorEncoder extends BitWriter {
    static final int HEADER_BYTES = 2;
    static final int MAX_SAMPLES = 0x7fff;
    /**
     * The buffer of a chunk started without a size hint: a full chunk of a series whose value never
     * changes (49 bytes at scrape intervals from 10 s to 17 min, 48 below 8 s), rounded to 8. Such
     * series, a third of an exporter's, then never grow; the others outgrow it within a few samples,
     * so the copy mostly dies young.
     */
    static final int DEFAULT_INITIAL_BYTES = 56;
    /**
     * How far ahead a growing buffer is sized, in multiples of the samples so far. On the bench
     * farm's values (ChunkGrowthBench) 3 gave about the least promoted garbage for the spare room it
     * costs in a first chunk: 4 promoted 15 % less and held 26 bytes more per series on average over
     * its minutes 1-4, 2.5 promoted 11 % more.
     */
    static final int GROWTH_HORIZON = 3;

    /** {@link #leading} before the first XOR window is set. */
    private static final byte NO_WINDOW = -1;

    private static final VarHandle T;
    private static final VarHandle V_BITS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            T = lookup.findVarHandle(XorEncoder.class, "t", long.class);
            V_BITS = lookup.findVarHandle(XorEncoder.class, "vBits", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Below {@link #MAX_SAMPLES}, so a short. */
    private short count;
    /** The current XOR window: leading zeros (0..31) or {@link #NO_WINDOW}, and trailing zeros (0..63). */
    private byte leading = NO_WINDOW;
    private byte trailing;
    /** The last sample's time and value bits: of this chunk, or of the one before it while this one is empty. */
    private long t;
    private long tDelta;
    private long vBits;

    /** An empty chunk without a buffer yet. */
    protected XorEncoder() {
    }

    XorEncoder(int initialBytes) {
        super(initialBytes, HEADER_BYTES);
    }

    /**
     * Appends a sample; timestamps must increase strictly (the head enforces this). The first
     * sample of an empty chunk starts a buffer of {@link #DEFAULT_INITIAL_BYTES} unless
     * {@link #cutChunk} kept one.
     *
     * @throws IllegalStateException when the chunk already holds 32767 samples
     */
    protected final void appendSample(long timestamp, long valueBits) {
        if (count == MAX_SAMPLES) {
            throw new IllegalStateException("chunk is full");
        }
        if (count == 0) {
            if (!started()) {
                start(DEFAULT_INITIAL_BYTES, HEADER_BYTES);
            }
            long zt = zigzag(timestamp);
            ensureBits(uvarintBits(zt) + 64);
            writeUvarint(zt);
            writeBits(valueBits, 64);
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
                long zd = zigzag(delta);
                ensureBits(uvarintBits(zd) + valueLength);
                writeUvarint(zd);
            } else {
                appendDeltaOfDelta(delta - tDelta, valueLength);
            }
            tDelta = delta;
            writeValue(xor, lead, trail, inWindow);
        }
        publishLast(timestamp, valueBits);
        count++;
        byte[] buf = buffer();
        buf[0] = (byte) (count >>> 8);
        buf[1] = (byte) count;
    }

    /** Sets the last sample of an empty chunk: what the next chunk's first sample must follow. */
    protected final void setLastSample(long timestamp, long valueBits) {
        if (count != 0) {
            throw new IllegalStateException("the chunk has samples");
        }
        publishLast(timestamp, valueBits);
    }

    private void publishLast(long timestamp, long valueBits) {
        V_BITS.setRelease(this, valueBits);
        T.setRelease(this, timestamp);
    }

    protected final int sampleCount() {
        return count;
    }

    /**
     * Grows to the size the chunk is predicted to have after {@link #GROWTH_HORIZON} times its
     * samples so far (at most {@link XorChunk#TARGET_SAMPLES}), at the bytes per sample it took
     * after its first sample, plus 8 bytes; at least an eighth more. The first sample (a full
     * timestamp and value) is left out of the rate: counted in, it made the prediction overshoot
     * early, and the growth, capped at doubling to bound that, took more copies. A head chunk lives
     * minutes, so each buffer it outgrows after its first 30 s is promoted and dies in the old
     * generation, where it is what fills it between full collections (ChunkGrowthBench on the bench
     * farm's values, per series and first chunk: 2.3 buffers, 521 bytes allocated, 242 promoted and
     * outgrown, where doubling from 24 bytes took 3.9, 642 and 347). Growing straight to the whole
     * chunk's predicted size from its 12th sample on would promote 104, but a series would then
     * hold its full-size buffer from its first minute on: 67 bytes more than this on average over
     * its minutes 1-4, for every active series.
     * Since a head series keeps its buffer from chunk to chunk ({@link #cutChunk}), room grown past
     * what its chunks need would stay empty for good.
     */
    @Override
    final int grownLength(int capacity) {
        if (count < 2) {
            return super.grownLength(capacity);
        }
        int used = length();
        int horizon = Math.min(XorChunk.TARGET_SAMPLES, GROWTH_HORIZON * count);
        int predicted = used + (used - firstSampleEnd()) * (horizon - count) / (count - 1) + 8;
        return Math.max(capacity + (capacity >>> 3), predicted);
    }

    /** Where the first sample ends: it takes whole bytes (a varint and 64 bits). */
    private int firstSampleEnd() {
        return HEADER_BYTES + (uvarintBits(zigzag(firstTime())) + 64) / 8;
    }

    /**
     * The first sample's time; meaningless for an empty chunk. Decoded from the chunk's first
     * bytes rather than kept in a field: 8 bytes less for every active series, and appending never
     * needs it.
     */
    protected final long firstTime() {
        if (count == 0) {
            return 0;
        }
        byte[] b = buffer();
        long zt = 0;
        for (int i = HEADER_BYTES, shift = 0; ; i++, shift += 7) {
            byte x = b[i];
            zt |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return (zt >>> 1) ^ -(zt & 1);
            }
        }
    }

    /** The last sample's time, read by the writer. */
    protected final long lastSampleTime() {
        return t;
    }

    protected final long lastSampleBits() {
        return vBits;
    }

    /** The last sample's time, for readers that do not hold the writer's lock. */
    protected final long lastTimeAcquire() {
        return (long) T.getAcquire(this);
    }

    /** The last sample's value bits, for readers that do not hold the writer's lock. */
    protected final long lastBitsAcquire() {
        return (long) V_BITS.getAcquire(this);
    }

    /**
     * The backing array, null after {@link #clearChunk} ({@link #cutChunk} keeps it); only the first
     * {@link #chunkLength()} bytes are meaningful.
     */
    protected final byte[] chunkBytes() {
        return buffer();
    }

    protected final int chunkLength() {
        return started() ? length() : 0;
    }

    /**
     * Loads what the next append touches into the CPU cache and returns a value derived from it
     * (callers fold it somewhere, so the read is not optimized away). Safe while a writer appends.
     */
    protected final int touchChunk() {
        return count + touchTail();
    }

    /**
     * Hands the samples over to a new {@link XorChunk} (a copy of exactly their size) and starts
     * this chunk over, empty, in the same buffer; the last sample stays known. Returns the new chunk.
     * A head chunk's buffer lives for minutes, so every buffer it drops dies in the old generation
     * and is what fills it between full collections: kept from chunk to chunk, a steady series' buffer
     * is allocated once, and the copy, written and dropped at once, dies young. The buffer is
     * replaced only when the cut chunk used less than half of it (the series' samples got cheaper).
     */
    protected final XorChunk cutChunk() {
        XorChunk cut = new XorChunk(this);
        clearState();
        int used = length();
        if (buffer().length > 2 * used + 16) {
            start(used + (used >>> 3), HEADER_BYTES);
        } else {
            reset(HEADER_BYTES);
        }
        return cut;
    }

    /** Empties the chunk and drops its buffer; the last sample stays known. */
    protected final void clearChunk() {
        clearState();
        release();
    }

    /** Continues {@code chunk}: takes its samples, buffer included; {@code chunk} must not be used afterwards. */
    protected final void resumeChunk(XorChunk chunk) {
        copyState(chunk);
    }

    /**
     * Points {@code view} at this chunk's samples, sharing the buffer: a chunk to read (not append
     * to) until this one changes, without copying or allocating.
     */
    protected final void viewInto(XorChunk view) {
        view.copyState(this);
    }

    /** Copies every field of {@code other}, sharing its buffer; publishes its last sample. */
    final void copyState(XorEncoder other) {
        shareStream(other);
        copyEncoderState(other);
    }

    /** Copies every field of {@code other}, its bytes into an array of their exact size; publishes its last sample. */
    final void copyOf(XorEncoder other) {
        copyStream(other);
        copyEncoderState(other);
    }

    private void copyEncoderState(XorEncoder other) {
        count = other.count;
        leading = other.leading;
        trailing = other.trailing;
        tDelta = other.tDelta;
        publishLast(other.t, other.vBits);
    }

    private void clearState() {
        count = 0;
        leading = NO_WINDOW;
        trailing = 0;
        tDelta = 0;
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

    /** Writes a value XOR'd with the previous one, as {@link #appendSample} decided to encode it. */
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
