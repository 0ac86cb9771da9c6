package io.promlite.scraper.scrape;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A connection's response body arrays and gzip decoder, reused by its successive scrapes so a
 * scrape allocates no body-sized memory once the arrays have grown to the target's body size.
 * Used by one thread at a time: the connection's event loop fills them, then the scrape loop parses
 * the body before the next request is sent.
 */
final class BodyBuffers {
    private static final byte[] EMPTY = new byte[0];
    private static final int MIN_CAPACITY = 16 << 10;

    /** The (decoded) body. */
    byte[] body = EMPTY;
    /** A gzip body as received, inflated into {@link #body} once complete. */
    byte[] zipped = EMPTY;
    /** The buffer last handed out over {@link #body}'s array; its release does nothing, so it serves every scrape. */
    private ByteBuf view = Unpooled.EMPTY_BUFFER;
    private Inflater inflater;
    private CRC32 crc;

    /** {@code array[0, length)} as a buffer whose release is a no-op: the array is reused, not freed. */
    ByteBuf view(byte[] array, int length) {
        if (!view.hasArray() || view.array() != array) {
            view = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(array));
        }
        return view.setIndex(0, length);
    }

    /**
     * An array holding {@code array}'s first {@code length} bytes with room for at least {@code need}
     * bytes: {@code array} itself when large enough, else a larger copy (at most {@code max} bytes,
     * unless {@code need} is more). The arrays live as long as their target, so a body whose length
     * is known ({@code lengthKnown}: Content-Length) gets an eighth more than it needs, not double: a
     * body a little larger than the last one would otherwise leave half of a body-sized array unused
     * for good (1000-series targets: ~85 KiB each). A body of unknown length, arriving piece by
     * piece, grows by half at least, so reaching its size takes a logarithmic number of copies.
     */
    static byte[] grow(byte[] array, int length, int need, int max, boolean lengthKnown) {
        if (need <= array.length) {
            return array;
        }
        long roomy = Math.max(MIN_CAPACITY, need + (long) need / 8);
        if (!lengthKnown) {
            roomy = Math.max(roomy, array.length + (long) array.length / 2);
        }
        int capacity = (int) Math.max(need, Math.min(roomy, max));
        byte[] grown = new byte[capacity];
        System.arraycopy(array, 0, grown, 0, length);
        return grown;
    }

    /**
     * Inflates the gzip stream in {@code zipped[0, length)} (one or more members, as Go's gzip
     * reader accepts) into {@link #body}.
     *
     * @param limit the body length that fails the scrape (Prometheus fails a body that reaches its limit)
     * @return the body's length, or -1 when it reaches {@code limit}
     * @throws DataFormatException with the text Go's gzip reader reports for a broken stream
     */
    int gunzip(int length, int limit) throws DataFormatException {
        if (inflater == null) {
            inflater = new Inflater(true);
            crc = new CRC32();
        }
        if (length == 0) {
            throw new DataFormatException("EOF");
        }
        int in = 0;
        int out = 0;
        while (in < length) {
            in = skipHeader(zipped, in, length);
            inflater.reset();
            inflater.setInput(zipped, in, length - in);
            crc.reset();
            int memberStart = out;
            while (!inflater.finished()) {
                if (out >= limit) {
                    return -1;
                }
                if (out == body.length) {
                    body = grow(body, out, out + 1, limit, false);
                }
                int n = inflater.inflate(body, out, Math.min(body.length, limit) - out);
                if (n == 0 && !inflater.finished()) {
                    throw new DataFormatException(inflater.needsInput() ? "unexpected EOF"
                            : "flate: corrupt input before offset " + (in + inflater.getTotalIn()));
                }
                out += n;
            }
            crc.update(body, memberStart, out - memberStart);
            in = length - inflater.getRemaining();
            if (length - in < 8) {
                throw new DataFormatException("unexpected EOF");
            }
            if (littleEndian(zipped, in) != (int) crc.getValue() || littleEndian(zipped, in + 4) != out - memberStart) {
                throw new DataFormatException("gzip: invalid checksum");
            }
            in += 8;
        }
        return out >= limit ? -1 : out;
    }

    /** The offset of the deflate data after the gzip member header at {@code at} (RFC 1952 section 2.3). */
    private static int skipHeader(byte[] z, int at, int end) throws DataFormatException {
        if (end - at < 10) {
            throw new DataFormatException("unexpected EOF");
        }
        if ((z[at] & 0xff) != 0x1f || (z[at + 1] & 0xff) != 0x8b || z[at + 2] != 8) {
            throw new DataFormatException("gzip: invalid header");
        }
        int flags = z[at + 3] & 0xff;
        int p = at + 10;
        if ((flags & 4) != 0) { // FEXTRA
            if (end - p < 2) {
                throw new DataFormatException("unexpected EOF");
            }
            p += 2 + ((z[p] & 0xff) | (z[p + 1] & 0xff) << 8);
        }
        if ((flags & 8) != 0) { // FNAME
            p = afterZero(z, p, end);
        }
        if ((flags & 16) != 0) { // FCOMMENT
            p = afterZero(z, p, end);
        }
        if ((flags & 2) != 0) { // FHCRC
            p += 2;
        }
        if (p >= end) {
            throw new DataFormatException("unexpected EOF");
        }
        return p;
    }

    private static int afterZero(byte[] z, int p, int end) {
        while (p < end && z[p] != 0) {
            p++;
        }
        return p + 1;
    }

    private static int littleEndian(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
