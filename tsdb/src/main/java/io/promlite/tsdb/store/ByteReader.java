package io.promlite.tsdb.store;

/** A cursor over a byte array for decoding varints and fixed-width integers. */
public final class ByteReader {
    private byte[] buf;
    private int pos;
    private int end;

    public ByteReader reset(byte[] buf, int off, int end) {
        this.buf = buf;
        this.pos = off;
        this.end = end;
        return this;
    }

    public boolean hasMore() {
        return pos < end;
    }

    public int position() {
        return pos;
    }

    public void skip(int n) {
        pos += n;
    }

    public long uvarint() {
        long v = 0;
        int shift = 0;
        while (true) {
            if (pos >= end) {
                throw new IllegalStateException("truncated varint");
            }
            byte b = buf[pos++];
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return v;
            }
            shift += 7;
            if (shift > 63) {
                throw new IllegalStateException("varint too long");
            }
        }
    }

    public long varint() {
        return ByteCodec.unzigzag(uvarint());
    }

    public long fixedLong() {
        if (end - pos < 8) {
            throw new IllegalStateException("truncated long");
        }
        long v = ByteCodec.getLong(buf, pos);
        pos += 8;
        return v;
    }
}
