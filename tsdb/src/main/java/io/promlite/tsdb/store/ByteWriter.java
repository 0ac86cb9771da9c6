package io.promlite.tsdb.store;

import java.util.Arrays;

/** A growable byte buffer, reused across writes to avoid per-record allocation. */
public final class ByteWriter {
    private byte[] buf;
    private int len;

    public ByteWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public ByteWriter clear() {
        len = 0;
        return this;
    }

    public int length() {
        return len;
    }

    /** Copies the contents into {@code out} at its position. */
    public void writeTo(java.nio.ByteBuffer out) {
        out.put(buf, 0, len);
    }

    public byte[] toArray() {
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    public ByteWriter uvarint(long v) {
        ensure(10);
        len = ByteCodec.putUvarint(buf, len, v);
        return this;
    }

    public ByteWriter varint(long v) {
        return uvarint(ByteCodec.zigzag(v));
    }

    public ByteWriter fixedLong(long v) {
        ensure(8);
        ByteCodec.putLong(buf, len, v);
        len += 8;
        return this;
    }

    public ByteWriter sortableInt(int v) {
        ensure(4);
        ByteCodec.putSortableInt(buf, len, v);
        len += 4;
        return this;
    }

    public ByteWriter bytes(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    /** A length-prefixed byte string. */
    public ByteWriter lengthPrefixed(byte[] b) {
        uvarint(b.length);
        return bytes(b, 0, b.length);
    }
}
