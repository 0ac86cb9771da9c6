package io.promlite.tsdb.chunkenc;

/**
 * A compact, immutable encoding for chunks whose values are all exact decimals: integers after
 * scaling by 10<sup>k</sup> (k = 0..{@value #MAX_SCALE}), which is most of what exporters
 * expose (counts, bytes, CPU seconds at 0.01 s resolution, temperatures at 0.1). Constants and
 * steady counters at regular intervals then cost only the chunk header, and other counters a
 * few bits per sample, instead of the leading/trailing-zero XOR windows such values produce.
 *
 * <p>Layout:
 * <ul>
 *   <li>a tag byte {@code 0x80 | mode << 4 | k}, mode 1 when the values are stored as
 *       delta-of-delta, 0 when as deltas ({@code 0x80} keeps it apart from an XOR chunk,
 *       whose first byte is below it);</li>
 *   <li>varints (signed ones zigzag): sample count, first timestamp, first timestamp delta, first
 *       scaled value n, g (the greatest common divisor of the deltas of n: memory sizes move in
 *       pages), and the first delta of n divided by g;</li>
 *   <li>a bit stream: the timestamp column's and the value column's {@link FieldCoding} header,
 *       then from the third sample on a timestamp field (delta-of-delta) and a value field
 *       (delta or delta-of-delta of n/g, whichever makes the chunk smaller).</li>
 * </ul>
 * Arithmetic wraps, so any timestamps round-trip. A value decodes as {@code n / 10^k}, which is
 * the double the encoder checked, bit for bit; a chunk holding NaN (including stale markers),
 * infinities, -0 or anything else that does not round-trip exactly is left as XOR.
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

    private final BitWriter out = new BitWriter(256, 1);
    private final FieldCoding tColumn = new FieldCoding();
    private final FieldCoding deltaColumn = new FieldCoding();
    private final FieldCoding dodColumn = new FieldCoding();
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
        // The smallest scale at which every value round-trips exactly: raised as values need it,
        // then only the values before the last raise are checked again.
        int scale = 0;
        int checkedFrom = 0;
        for (int i = 0; i < count; i++) {
            while (!exactAt(bits[i], scale)) {
                if (++scale > MAX_SCALE) {
                    return -1;
                }
                checkedFrom = i;
            }
        }
        ensureCapacity(count);
        double p = POW10[scale];
        for (int i = 0; i < count; i++) {
            if (i < checkedFrom && !exactAt(bits[i], scale)) {
                return -1;
            }
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
        long tBits = tColumn.choose(tdods, fields);
        long deltaBits = deltaColumn.choose(deltas, fields);
        long dodBits = dodColumn.choose(dods, fields);
        boolean dod = dodBits < deltaBits;
        long[] values = dod ? dods : deltas;
        FieldCoding vColumn = dod ? dodColumn : deltaColumn;

        long streamBits = tBits + Math.min(deltaBits, dodBits);
        if (1 + (streamBits + 7) / 8 >= limitBytes) {
            // Larger even before the varint header: skip building it.
            return -1;
        }
        out.reset(1);
        out.buffer()[0] = (byte) (TAG | (dod ? MODE_DOD : 0) | scale);
        out.ensureBits(6 * 80);
        out.writeUvarint(count);
        out.writeUvarint(BitWriter.zigzag(ts[0]));
        out.writeUvarint(BitWriter.zigzag(firstTDelta));
        out.writeUvarint(BitWriter.zigzag(n[0]));
        out.writeUvarint(g);
        out.writeUvarint(BitWriter.zigzag(firstDelta));
        tColumn.writeHeader(out);
        vColumn.writeHeader(out);
        for (int i = 0; i < fields; i++) {
            out.ensureBits(2 * (2 + 64));
            tColumn.write(out, tdods[i]);
            vColumn.write(out, values[i]);
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

    /** Whether the value is an exact decimal with at most {@value #MAX_SCALE} fraction digits. */
    static boolean isExactDecimal(long bits) {
        for (int scale = 0; scale <= MAX_SCALE; scale++) {
            if (exactAt(bits, scale)) {
                return true;
            }
        }
        return false;
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
}
