package io.promlite.remote.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Snappy's block format encoder, compressing the input in independent 64 KiB blocks the way the
 * reference encoder does: a greedy match finder over a hash table of 4-byte sequences, literals
 * and copies whose offsets never reach outside the current block. Not thread-safe; reuses its
 * hash table and output buffer, so encoding allocates only when a larger input arrives.
 */
public final class SnappyEncoder {
    private static final int BLOCK_SIZE = 1 << 16;
    /** The hash table's size bounds, as in the reference encoder: 256 to 16384 entries, sized to the block. */
    private static final int MIN_TABLE_BITS = 8;
    private static final int MAX_TABLE_BITS = 14;
    /** Bytes at a block's end left to literals, so that match reads never run past the input. */
    private static final int INPUT_MARGIN = 16 - 1;
    private static final int MIN_NON_LITERAL_BLOCK = 1 + 1 + INPUT_MARGIN;

    // Little-endian views, so a load is one instruction rather than four byte loads and shifts.
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Positions within the current block (under 64 KiB, so 16 bits each): half the bytes to clear
     * per block of an int table. Only the first {@code 1 << bits} entries are used for a block.
     */
    private final short[] table = new short[1 << MAX_TABLE_BITS];
    private byte[] out = new byte[0];
    private int length;

    /** The most bytes encoding {@code n} input bytes can take (snappy's MaxEncodedLen bound). */
    public static int maxEncodedLength(int n) {
        return 32 + n + n / 6;
    }

    /** Encodes {@code src[0, n)}; the result is {@link #buffer()}{@code [0, }{@link #length()}{@code )}. */
    public void encode(byte[] src, int n) {
        int max = maxEncodedLength(n);
        if (out.length < max) {
            out = new byte[max];
        }
        int d = putUvarint(0, n);
        for (int start = 0; start < n; start += BLOCK_SIZE) {
            int end = Math.min(n, start + BLOCK_SIZE);
            d = end - start < MIN_NON_LITERAL_BLOCK ? literal(d, src, start, end - start) : block(d, src, start, end);
        }
        length = d;
    }

    /** A copy of the encoding of {@code src}, for callers that do not reuse buffers. */
    public static byte[] encode(byte[] src) {
        SnappyEncoder e = new SnappyEncoder();
        e.encode(src, src.length);
        return Arrays.copyOf(e.out, e.length);
    }

    public byte[] buffer() {
        return out;
    }

    public int length() {
        return length;
    }

    private int block(int d, byte[] src, int start, int end) {
        int bits = MIN_TABLE_BITS;
        while (bits < MAX_TABLE_BITS && 1 << bits < end - start) {
            bits++;
        }
        int shift = 32 - bits;
        Arrays.fill(table, 0, 1 << bits, (short) 0);
        int sLimit = end - INPUT_MARGIN;
        int nextEmit = start;
        int s = start + 1;
        int nextHash = hash(load32(src, s), shift);
        while (true) {
            // Skip faster the longer nothing matches: incompressible data costs little time.
            int skip = 32;
            int nextS = s;
            int candidate;
            do {
                s = nextS;
                int step = skip >> 5;
                nextS = s + step;
                skip += step;
                if (nextS > sLimit) {
                    return remainder(d, src, nextEmit, end);
                }
                candidate = start + (table[nextHash] & 0xffff);
                table[nextHash] = (short) (s - start);
                nextHash = hash(load32(src, nextS), shift);
            } while (load32(src, s) != load32(src, candidate));

            d = literal(d, src, nextEmit, s - nextEmit);
            while (true) {
                int base = s;
                s = matchEnd(src, candidate + 4, s + 4, end);
                d = copy(d, base - candidate, s - base);
                nextEmit = s;
                if (s >= sLimit) {
                    return remainder(d, src, nextEmit, end);
                }
                // Index the position before s and try s itself as the next match start.
                table[hash(load32(src, s - 1), shift)] = (short) (s - 1 - start);
                int h = hash(load32(src, s), shift);
                candidate = start + (table[h] & 0xffff);
                table[h] = (short) (s - start);
                if (load32(src, s) != load32(src, candidate)) {
                    nextHash = hash(load32(src, s + 1), shift);
                    s++;
                    break;
                }
            }
        }
    }

    private int remainder(int d, byte[] src, int nextEmit, int end) {
        return nextEmit < end ? literal(d, src, nextEmit, end - nextEmit) : d;
    }

    private int literal(int d, byte[] src, int from, int n) {
        if (n == 0) {
            return d;
        }
        int m = n - 1;
        if (m < 60) {
            out[d++] = (byte) (m << 2);
        } else if (m < 1 << 8) {
            out[d++] = (byte) (60 << 2);
            out[d++] = (byte) m;
        } else if (m < 1 << 16) {
            out[d++] = (byte) (61 << 2);
            out[d++] = (byte) m;
            out[d++] = (byte) (m >>> 8);
        } else {
            out[d++] = (byte) (62 << 2);
            out[d++] = (byte) m;
            out[d++] = (byte) (m >>> 8);
            out[d++] = (byte) (m >>> 16);
        }
        System.arraycopy(src, from, out, d, n);
        return d + n;
    }

    /** Emits a copy of {@code n >= 4} bytes from {@code offset < 65536} back. */
    private int copy(int d, int offset, int n) {
        while (n >= 68) {
            d = copy2(d, offset, 64);
            n -= 64;
        }
        if (n > 64) {
            // Leaves at least 4 bytes, which a 1-byte-offset copy needs.
            d = copy2(d, offset, 60);
            n -= 60;
        }
        if (n >= 12 || offset >= 2048) {
            return copy2(d, offset, n);
        }
        out[d++] = (byte) (1 | (n - 4) << 2 | (offset >>> 8) << 5);
        out[d++] = (byte) offset;
        return d;
    }

    private int copy2(int d, int offset, int n) {
        out[d++] = (byte) (2 | (n - 1) << 2);
        out[d++] = (byte) offset;
        out[d++] = (byte) (offset >>> 8);
        return d;
    }

    private int putUvarint(int d, int v) {
        while ((v & ~0x7f) != 0) {
            out[d++] = (byte) (v & 0x7f | 0x80);
            v >>>= 7;
        }
        out[d++] = (byte) v;
        return d;
    }

    /** Where the match of {@code src[i..]} and {@code src[s..]} ends, comparing eight bytes at a time. */
    private static int matchEnd(byte[] src, int i, int s, int end) {
        while (s + 8 <= end) {
            long diff = (long) LONG.get(src, i) ^ (long) LONG.get(src, s);
            if (diff != 0) {
                return s + (Long.numberOfTrailingZeros(diff) >>> 3);
            }
            i += 8;
            s += 8;
        }
        while (s < end && src[i] == src[s]) {
            i++;
            s++;
        }
        return s;
    }

    private static int load32(byte[] b, int i) {
        return (int) INT.get(b, i);
    }

    private static int hash(int u, int shift) {
        return (u * 0x1e35a7bd) >>> shift;
    }
}
