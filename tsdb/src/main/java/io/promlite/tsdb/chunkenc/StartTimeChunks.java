package io.promlite.tsdb.chunkenc;

/**
 * The stored form of a chunk whose samples carry start timestamps: a marker byte
 * {@value #MARKER} (XOR chunks start below 0x80, decimal ones at 0x80..0x99), the length of the
 * inner chunk as a varint, the inner chunk in either encoding, then its {@link StartTimeStream}.
 * Chunks without start timestamps are never wrapped, so they cost no byte more.
 * {@link ChunkIterator} reads both forms.
 */
public final class StartTimeChunks {
    static final int MARKER = 0xff;

    private StartTimeChunks() {
    }

    static boolean isWrapped(byte firstByte) {
        return (firstByte & 0xff) == MARKER;
    }

    /** The length of the wrapped form of an inner chunk of {@code innerLength} bytes and a stream. */
    public static int wrappedLength(int innerLength, StartTimeStream st) {
        return 1 + varintLength(innerLength) + innerLength + st.length();
    }

    /** Writes the wrapped form into {@code out} at {@code pos}; returns the position after it. */
    public static int wrap(byte[] inner, int off, int len, StartTimeStream st, byte[] out, int pos) {
        out[pos++] = (byte) MARKER;
        long v = len;
        while ((v & ~0x7fL) != 0) {
            out[pos++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        System.arraycopy(inner, off, out, pos, len);
        pos += len;
        System.arraycopy(st.bytes(), 0, out, pos, st.length());
        return pos + st.length();
    }

    /** The wrapped form as a new array. */
    public static byte[] wrap(byte[] inner, int off, int len, StartTimeStream st) {
        byte[] out = new byte[wrappedLength(len, st)];
        wrap(inner, off, len, st, out, 0);
        return out;
    }

    private static int varintLength(int v) {
        int n = 1;
        while ((v & ~0x7f) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }
}
