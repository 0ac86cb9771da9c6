package io.promlite.tsdb.chunkenc;

import java.util.Arrays;

/**
 * The start timestamps (ST) of one chunk's samples, a side stream kept apart from the chunk's
 * own encoding so a series that never reports a start timestamp pays nothing for it. One entry
 * per chunk sample, in order, 0 meaning "no start timestamp" (as in Prometheus):
 * <ul>
 *   <li>{@code 0}: no start timestamp;</li>
 *   <li>{@code 10}: the previous sample's start timestamp again (a cumulative counter);</li>
 *   <li>{@code 110}: the previous distance from the sample's timestamp again (deltas at a
 *       regular interval);</li>
 *   <li>{@code 1110}: the previous sample's timestamp (deltas at an irregular interval, as
 *       OpenTelemetry sends them);</li>
 *   <li>{@code 1111} + zigzag varint of {@code t - st}: anything else.</li>
 * </ul>
 * A steady cumulative series thus costs 2 bits per sample, a delta series 3 or 4. Stored
 * after the chunk it belongs to in a {@link StartTimeChunks} record. Not thread-safe.
 */
public final class StartTimeStream extends BitWriter {
    private int count;
    private long prevT;
    private long prevSt;
    private long prevGap;
    private boolean hasPrevGap;

    public StartTimeStream() {
        super(16, 0);
    }

    /** A stream that begins with {@code samples} samples without a start timestamp. */
    public static StartTimeStream withEmptyPrefix(int samples) {
        StartTimeStream s = new StartTimeStream();
        for (int i = 0; i < samples; i++) {
            s.append(0, 0);
        }
        return s;
    }

    /** The stream of an encoded chunk of any form: null when it carries no start timestamp at all. */
    public static StartTimeStream resume(byte[] encoded, int off, int len) {
        if (!StartTimeChunks.isWrapped(encoded[off])) {
            return null;
        }
        ChunkIterator it = new ChunkIterator().reset(encoded, off, len);
        StartTimeStream s = new StartTimeStream();
        while (it.next()) {
            s.append(it.timestamp(), it.startTimestamp());
        }
        return s;
    }

    public int numSamples() {
        return count;
    }

    /** Appends the start timestamp {@code st} (0: none) of the chunk's next sample, at {@code t}. */
    public void append(long t, long st) {
        ensureBits(4 + 80);
        if (st == 0) {
            writeBits(0, 1);
        } else if (st == prevSt) {
            writeBits(0b10, 2);
        } else if (hasPrevGap && t - st == prevGap) {
            writeBits(0b110, 3);
        } else if (count > 0 && st == prevT) {
            writeBits(0b1110, 4);
        } else {
            writeBits(0b1111, 4);
            writeUvarint(zigzag(t - st));
        }
        if (st != 0) {
            prevGap = t - st;
            hasPrevGap = true;
        }
        prevSt = st;
        prevT = t;
        count++;
    }

    /** The backing array; only the first {@link #length()} bytes are meaningful. */
    public byte[] bytes() {
        return buffer();
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buffer(), length());
    }

    /** Decodes a stream written by {@link StartTimeStream}; reusable, never allocates. */
    static final class Reader {
        private final BitReader in = new BitReader();
        private long st;
        private long gap;
        private long prevT;

        void reset(byte[] b, int off, int end) {
            in.reset(b, off, end);
            st = 0;
            gap = 0;
            prevT = 0;
        }

        /** The next sample's start timestamp, given its timestamp {@code t}. */
        long next(long t) {
            if (in.readBits(1) == 0) {
                st = 0;
            } else if (in.readBits(1) == 0) {
                gap = t - st;
            } else if (in.readBits(1) == 0) {
                st = t - gap;
            } else if (in.readBits(1) == 0) {
                st = prevT;
                gap = t - st;
            } else {
                gap = BitReader.unzigzag(in.readUvarint());
                st = t - gap;
            }
            prevT = t;
            return st;
        }
    }
}
