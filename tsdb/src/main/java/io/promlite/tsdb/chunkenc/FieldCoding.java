package io.promlite.tsdb.chunkenc;

import java.util.Arrays;

/**
 * How one column of integers (timestamp delta-of-deltas, value deltas, ...) of a
 * {@link DecimalChunk} is written: each value as a field of one of three widths w0 <= w1 <= w2
 * behind a prefix {@code 0}, {@code 10} or {@code 11}, chosen per column to minimise its size.
 * Fields are either signed (two's complement) or, when cheaper, unsigned offsets from a base (the
 * column's minimum: a counter's deltas need no sign bit). A width of 0 stands for the base (0
 * when signed), and a column whose w2 is 0 (all equal) writes no fields at all. When one width
 * fits best (w0 = w2: uniform deltas such as CPU ticks), fields have no prefix.
 *
 * <p>Column header: 1 bit offset flag, the base as a zigzag varint when set, 7-bit w2, then
 * 7-bit w0 and w1 unless w2 is 0. Reusable; not thread-safe.
 */
final class FieldCoding {
    private static final int WIDTH_BITS = 7;

    private final long[] signedCounts = new long[65];
    private final long[] unsignedCounts = new long[65];
    private final int[] split = new int[2];
    boolean offset;
    long base;
    int w0;
    int w1;
    int w2;

    /** Two's-complement bits needed for {@code x}; 0 for 0. */
    static int signedWidth(long x) {
        return x == 0 ? 0 : 65 - Long.numberOfLeadingZeros(x ^ (x >> 63));
    }

    /** Bits needed for {@code x} read as unsigned; 0 for 0. */
    static int unsignedWidth(long x) {
        return 64 - Long.numberOfLeadingZeros(x);
    }

    /** Chooses the cheapest coding for the first {@code len} values; returns its bits, header included. */
    long choose(long[] column, int len) {
        if (len == 0) {
            set(false, 0, 0, 0, 0);
            return headerBits();
        }
        long min = column[0];
        for (int i = 1; i < len; i++) {
            min = Math.min(min, column[i]);
        }
        Arrays.fill(signedCounts, 0);
        Arrays.fill(unsignedCounts, 0);
        int signedMax = 0;
        int unsignedMax = 0;
        for (int i = 0; i < len; i++) {
            int s = signedWidth(column[i]);
            int u = unsignedWidth(column[i] - min);
            signedCounts[s]++;
            unsignedCounts[u]++;
            signedMax = Math.max(signedMax, s);
            unsignedMax = Math.max(unsignedMax, u);
        }
        long signedBits = bestSplit(signedCounts, signedMax, len, split);
        int s0 = split[0];
        int s1 = split[1];
        long unsignedBits = bestSplit(unsignedCounts, unsignedMax, len, split);
        set(true, min, split[0], split[1], unsignedMax);
        long unsignedTotal = unsignedBits + headerBits();
        set(false, 0, s0, s1, signedMax);
        long signedTotal = signedBits + headerBits();
        if (unsignedTotal < signedTotal) {
            set(true, min, split[0], split[1], unsignedMax);
            return unsignedTotal;
        }
        return signedTotal;
    }

    private void set(boolean offset, long base, int w0, int w1, int w2) {
        this.offset = offset;
        this.base = base;
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
    }

    private long headerBits() {
        long bits = 1 + WIDTH_BITS + (w2 > 0 ? 2 * WIDTH_BITS : 0);
        if (offset) {
            bits += 8L * uvarintBytes(BitWriter.zigzag(base));
        }
        return bits;
    }

    private static int uvarintBytes(long v) {
        return Math.max(1, (64 - Long.numberOfLeadingZeros(v) + 6) / 7);
    }

    /**
     * The split w0 <= w1 <= max minimising the bits of fields whose widths are counted in
     * {@code counts} (turned into cumulative counts here); fills {@code split} with w0, w1.
     */
    private static long bestSplit(long[] counts, int max, long len, int[] split) {
        split[0] = 0;
        split[1] = 0;
        if (max == 0) {
            return 0;
        }
        for (int w = 1; w <= max; w++) {
            counts[w] += counts[w - 1];
        }
        // One width for all: no prefixes.
        long best = max * len;
        split[0] = max;
        split[1] = max;
        for (int a = 0; a < max; a++) {
            for (int b = a; b <= max; b++) {
                long bits = (1 + a) * counts[a] + (2 + b) * (counts[b] - counts[a]) + (2 + max) * (len - counts[b]);
                if (bits < best) {
                    best = bits;
                    split[0] = a;
                    split[1] = b;
                }
            }
        }
        return best;
    }

    void writeHeader(BitWriter out) {
        out.ensureBits(1 + 80 + 3 * WIDTH_BITS);
        out.writeBits(offset ? 1 : 0, 1);
        if (offset) {
            out.writeUvarint(BitWriter.zigzag(base));
        }
        out.writeBits(w2, WIDTH_BITS);
        if (w2 > 0) {
            out.writeBits(w0, WIDTH_BITS);
            out.writeBits(w1, WIDTH_BITS);
        }
    }

    /** Writes one value of the column; the caller has made room for 66 bits. */
    void write(BitWriter out, long x) {
        if (w2 == 0) {
            return;
        }
        long v = offset ? x - base : x;
        if (w0 == w2) {
            out.writeBits(v, w2);
            return;
        }
        int w = offset ? unsignedWidth(v) : signedWidth(v);
        if (w <= w0) {
            out.writeBits(0, 1);
            if (w0 > 0) {
                out.writeBits(v, w0);
            }
        } else if (w <= w1) {
            out.writeBits(0b10, 2);
            out.writeBits(v, w1);
        } else {
            out.writeBits(0b11, 2);
            out.writeBits(v, w2);
        }
    }

    void readHeader(BitReader in) {
        offset = in.readBits(1) == 1;
        base = offset ? BitReader.unzigzag(in.readUvarint()) : 0;
        w2 = readWidth(in);
        w0 = w2 == 0 ? 0 : readWidth(in);
        w1 = w2 == 0 ? 0 : readWidth(in);
        if (w0 > w1 || w1 > w2) {
            throw new IllegalStateException("bad decimal chunk field widths " + w0 + "/" + w1 + "/" + w2);
        }
    }

    private static int readWidth(BitReader in) {
        int w = (int) in.readBits(WIDTH_BITS);
        if (w > 64) {
            throw new IllegalStateException("bad decimal chunk field width " + w);
        }
        return w;
    }

    long read(BitReader in) {
        if (w2 == 0) {
            return base;
        }
        if (w0 == w2) {
            return offset ? base + in.readBits(w2) : in.readSigned(w2);
        }
        return offset ? base + in.readPrefixed(w0, w1, w2, false) : in.readPrefixed(w0, w1, w2, true);
    }
}
