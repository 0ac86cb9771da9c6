package io.promlite.tsdb.chunkenc;

import java.util.Arrays;

/**
 * A compact, immutable encoding for chunks whose values are all exact decimals: integers after
 * scaling by 10<sup>k</sup> (k = 0..{@value #MAX_SCALE}), which is most of what exporters
 * expose (counts, bytes, CPU seconds at 0.01 s resolution, temperatures at 0.1). A counter with a
 * steady rate then costs about a bit per sample, and so does a constant, instead of the
 * leading/trailing-zero XOR windows such values produce.
 *
 * <p>Layout:
 * <ul>
 *   <li>a tag byte {@code 0x80 | mode << 4 | k}, mode 1 when the values are stored as
 *       delta-of-delta, 0 when as deltas ({@code 0x80} keeps it apart from an XOR chunk,
 *       whose first byte is below it);</li>
 *   <li>varints (signed ones zigzag): sample count, first timestamp, first timestamp delta, first
 *       scaled value n, g (the greatest common divisor of the deltas of n: memory sizes move in
 *       pages), and the first delta of n divided by g;</li>
 *   <li>a bit stream: the timestamp and the value field widths (7-bit w2, then w0 and w1 unless
 *       w2 is 0), then from the third sample on a timestamp field (delta-of-delta) and a value
 *       field (delta or delta-of-delta of n/g).</li>
 * </ul>
 * A field is {@code 0}+w0 bits, {@code 10}+w1 bits or {@code 11}+w2 bits, two's complement; a
 * width of 0 stands for the value 0, and a column whose w2 is 0 (all zeros: regular timestamps,
 * constants, steady counters) writes no fields at all. The widths are chosen per chunk to
 * minimise its size, so zero-heavy columns get a 1-bit zero and jittery ones a narrow first
 * bucket. Arithmetic wraps,
 * so any timestamps round-trip. A value decodes as {@code n / 10^k}, which is the double the
 * encoder checked, bit for bit; a chunk holding NaN (including stale markers), infinities, -0 or
 * anything else that does not round-trip exactly is left as XOR.
 *
 * <p>An instance is a reusable encoder (scratch arrays, no allocation per chunk once warm); not
 * thread-safe.
 */
final class DecimalChunk {
    static final int TAG = 0x80;
    static final int MODE_DOD = 0x10;
    static final int MAX_SCALE = 9;
    static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    /** Scaled values stay within the doubles' exact-integer range, so deltas never overflow. */
    private static final double MAX_SCALED = 0x1p53;
    private static final int WIDTH_BITS = 7;

    private final BitWriter out = new BitWriter(256, 1);
    private final int[] tWidths = new int[3];
    private final int[] deltaWidths = new int[3];
    private final int[] dodWidths = new int[3];
    private final long[] widthCounts = new long[65];
    private long[] n = new long[0];
    private long[] deltas = new long[0];
    private long[] dods = new long[0];
    private long[] tdods = new long[0];

    /** Whether an encoded chunk starting with {@code firstByte} is a decimal chunk. */
    static boolean isDecimal(byte firstByte) {
        return (firstByte & TAG) != 0;
    }

    /**
     * Encodes the samples when every value is an exact decimal and the result is smaller than
     * {@code limitBytes}; the chunk is then the first {@code length} bytes of {@link #bytes()}.
     *
     * @param ts the chunk's timestamps
     * @param bits the chunk's raw value bits
     * @param count how many samples of the arrays belong to the chunk
     * @return the encoded length, or -1 when the chunk does not qualify or would not be smaller
     */
    int encode(long[] ts, long[] bits, int count, int limitBytes) {
        if (count < 2) {
            return -1;
        }
        int scale = scaleOf(bits, count);
        if (scale < 0) {
            return -1;
        }
        ensureCapacity(count);
        double p = POW10[scale];
        for (int i = 0; i < count; i++) {
            n[i] = (long) Math.rint(Double.longBitsToDouble(bits[i]) * p);
        }
        long g = 0;
        for (int i = 1; i < count; i++) {
            g = gcd(g, Math.abs(n[i] - n[i - 1]));
        }
        g = Math.max(g, 1);
        // Columns from the third sample on; the first deltas go to the header.
        int fields = count - 2;
        long firstTDelta = ts[1] - ts[0];
        long firstDelta = (n[1] - n[0]) / g;
        long prevTDelta = firstTDelta;
        long prevDelta = firstDelta;
        for (int i = 2; i < count; i++) {
            long d = (n[i] - n[i - 1]) / g;
            deltas[i - 2] = d;
            dods[i - 2] = d - prevDelta;
            prevDelta = d;
            long td = ts[i] - ts[i - 1];
            tdods[i - 2] = td - prevTDelta;
            prevTDelta = td;
        }
        long tBits = chooseWidths(tdods, fields, tWidths);
        long deltaBits = chooseWidths(deltas, fields, deltaWidths);
        long dodBits = chooseWidths(dods, fields, dodWidths);
        boolean dod = dodBits < deltaBits;
        long[] values = dod ? dods : deltas;
        int[] vWidths = dod ? dodWidths : deltaWidths;

        long streamBits = 6L * WIDTH_BITS + tBits + Math.min(deltaBits, dodBits);
        if (1 + (streamBits + 7) / 8 >= limitBytes) {
            // Larger even before the varint header: skip building it.
            return -1;
        }
        out.reset();
        out.buffer()[0] = (byte) (TAG | (dod ? MODE_DOD : 0) | scale);
        out.ensureBits(6 * 80 + 6 * WIDTH_BITS);
        out.writeUvarint(count);
        out.writeUvarint(BitWriter.zigzag(ts[0]));
        out.writeUvarint(BitWriter.zigzag(firstTDelta));
        out.writeUvarint(BitWriter.zigzag(n[0]));
        out.writeUvarint(g);
        out.writeUvarint(BitWriter.zigzag(firstDelta));
        writeWidths(tWidths);
        writeWidths(vWidths);
        for (int i = 0; i < fields; i++) {
            out.ensureBits(2 * (2 + 64));
            writeField(tdods[i], tWidths);
            writeField(values[i], vWidths);
        }
        return out.length() < limitBytes ? out.length() : -1;
    }

    /** The encoder's buffer; the chunk is its first {@code length} bytes after {@link #encode}. */
    byte[] bytes() {
        return out.buffer();
    }

    private void ensureCapacity(int count) {
        if (n.length < count) {
            n = new long[count];
            deltas = new long[count];
            dods = new long[count];
            tdods = new long[count];
        }
    }

    /** The smallest scale at which every value round-trips exactly, or -1. */
    private static int scaleOf(long[] bits, int count) {
        int scale = 0;
        for (int i = 0; i < count; i++) {
            while (!exactAt(bits[i], scale)) {
                if (++scale > MAX_SCALE) {
                    return -1;
                }
            }
        }
        // A larger scale found later must hold for the earlier values too.
        for (int i = 0; i < count; i++) {
            if (!exactAt(bits[i], scale)) {
                return -1;
            }
        }
        return scale;
    }

    private static boolean exactAt(long bits, int scale) {
        double p = POW10[scale];
        double scaled = Double.longBitsToDouble(bits) * p;
        if (!(Math.abs(scaled) <= MAX_SCALED)) {
            return false;
        }
        long n = (long) Math.rint(scaled);
        return Double.doubleToRawLongBits(n / p) == bits;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long r = a % b;
            a = b;
            b = r;
        }
        return a;
    }

    /** The widest bucket first: when it is 0 the column is all zeros and nothing else is written. */
    private void writeWidths(int[] widths) {
        out.writeBits(widths[2], WIDTH_BITS);
        if (widths[2] > 0) {
            out.writeBits(widths[0], WIDTH_BITS);
            out.writeBits(widths[1], WIDTH_BITS);
        }
    }

    private void writeField(long x, int[] widths) {
        if (widths[2] == 0) {
            return;
        }
        int w = widthOf(x);
        if (w <= widths[0]) {
            out.writeBits(0, 1);
            if (widths[0] > 0) {
                out.writeBits(x, widths[0]);
            }
        } else if (w <= widths[1]) {
            out.writeBits(0b10, 2);
            out.writeBits(x, widths[1]);
        } else {
            out.writeBits(0b11, 2);
            out.writeBits(x, widths[2]);
        }
    }

    /** Two's-complement bits needed for {@code x}; 0 for 0. */
    static int widthOf(long x) {
        return x == 0 ? 0 : 65 - Long.numberOfLeadingZeros(x ^ (x >> 63));
    }

    /**
     * Fills {@code widths} with the bucket widths w0 <= w1 <= w2 that minimise the bits of the
     * first {@code len} values of {@code column}, and returns those bits.
     */
    long chooseWidths(long[] column, int len, int[] widths) {
        long[] atMost = widthCounts;
        Arrays.fill(atMost, 0);
        int max = 0;
        for (int i = 0; i < len; i++) {
            int w = widthOf(column[i]);
            atMost[w]++;
            max = Math.max(max, w);
        }
        if (max == 0) {
            Arrays.fill(widths, 0);
            return 0;
        }
        for (int w = 1; w <= max; w++) {
            atMost[w] += atMost[w - 1];
        }
        long best = Long.MAX_VALUE;
        for (int w0 = 0; w0 <= max; w0++) {
            for (int w1 = w0; w1 <= max; w1++) {
                long bitsUsed = (1 + w0) * atMost[w0]
                        + (2 + w1) * (atMost[w1] - atMost[w0])
                        + (2 + max) * (len - atMost[w1]);
                if (bitsUsed < best) {
                    best = bitsUsed;
                    widths[0] = w0;
                    widths[1] = w1;
                    widths[2] = max;
                }
            }
        }
        return best;
    }
}
