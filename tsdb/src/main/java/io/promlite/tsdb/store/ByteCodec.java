package io.promlite.tsdb.store;

/**
 * Primitive encodings for RocksDB keys and values.
 *
 * <p>Keys use big-endian integers with the sign bit flipped ("sortable") so that RocksDB's
 * bytewise order equals numeric order, negative timestamps included.
 */
public final class ByteCodec {
    private ByteCodec() {
    }

    public static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    public static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    public static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    public static int getInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    public static void putSortableLong(byte[] b, int off, long v) {
        putLong(b, off, v ^ Long.MIN_VALUE);
    }

    public static long getSortableLong(byte[] b, int off) {
        return getLong(b, off) ^ Long.MIN_VALUE;
    }

    public static void putSortableInt(byte[] b, int off, int v) {
        putInt(b, off, v ^ Integer.MIN_VALUE);
    }

    public static int getSortableInt(byte[] b, int off) {
        return getInt(b, off) ^ Integer.MIN_VALUE;
    }

    public static int uvarintSize(long v) {
        int n = 1;
        while ((v & ~0x7fL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /** Writes an unsigned LEB128 varint; returns the offset after it. */
    public static int putUvarint(byte[] b, int off, long v) {
        while ((v & ~0x7fL) != 0) {
            b[off++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b[off++] = (byte) v;
        return off;
    }

    public static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    public static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /**
     * The smallest key greater than every key starting with {@code prefix}, or null when no
     * such key exists (the prefix is all 0xff). Used to skip over a whole prefix when seeking.
     */
    public static byte[] prefixSuccessor(byte[] prefix, int len) {
        for (int i = len - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                byte[] s = java.util.Arrays.copyOf(prefix, i + 1);
                s[i]++;
                return s;
            }
        }
        return null;
    }

    public static boolean startsWith(byte[] key, byte[] prefix, int prefixLen) {
        if (key.length < prefixLen) {
            return false;
        }
        for (int i = 0; i < prefixLen; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
