package io.promlite.scraper.scrape;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;

/**
 * Reads a kept connection's HTTP/1.x responses straight from the socket's buffers: the status line
 * and the few headers a scrape needs are parsed in place, and the body (fixed-length, chunked or
 * up to the close) is copied into the connection's reused {@link BodyBuffers}, so a scrape costs
 * one pass over its bytes and no per-response objects beyond the outcome. The body size limit is
 * enforced while reading. Completes the channel's current exchange; event-loop confined.
 */
final class ResponseReader extends ChannelInboundHandlerAdapter {
    /** Go's net/http transport rejects larger response headers by default at 10 MB; scrapes never need that much. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    private enum State { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE }

    private final HttpScraper.Connection connection;
    private final BodyBuffers buffers;
    private HttpScraper.Exchange current;
    /** Whether the current request may be resent on a new connection if this one turns out closed (it was reused). */
    private boolean retry;
    private Throwable cause;
    /** Whether any byte of the current response arrived (a retry would then repeat a request the target saw). */
    private boolean receiving;

    private State state = State.HEAD;
    private byte[] head = new byte[1024];
    private int headLength;
    private int lineStart;

    private int status;
    /** Where the status line ends in {@link #head}, which keeps it until the next response's headers. */
    private int statusLineEnd;
    private boolean keepAlive;
    private boolean gzip;
    private String contentType;
    private String location;
    /** The last Content-Type's bytes and text, so an unchanged header costs no new string. */
    private byte[] lastContentTypeBytes = new byte[0];
    private String lastContentType;

    /** Bytes left in a fixed-length body or the current chunk. */
    private long remaining;
    private long chunkSize;
    private int chunkDigits;
    private boolean chunkExtension;
    private int trailerLineLength;

    /** Where a 2xx body goes (the connection's body or gzip array); null while discarding another status's body. */
    private byte[] sink;
    private int sinkLength;
    /** The most bytes the sink may hold. */
    private int sinkMax;

    ResponseReader(HttpScraper.Connection connection, BodyBuffers buffers) {
        this.connection = connection;
        this.buffers = buffers;
    }

    void begin(HttpScraper.Exchange ex, boolean retryOnEarlyClose) {
        current = ex;
        retry = retryOnEarlyClose;
        cause = null;
        receiving = false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            while (in.isReadable()) {
                if (current == null) {
                    // Bytes nobody asked for: the connection's framing can no longer be trusted.
                    abandon(ctx);
                    return;
                }
                receiving = true;
                switch (state) {
                    case HEAD -> readHead(ctx, in);
                    case FIXED, CHUNK_DATA -> readCounted(ctx, in);
                    case UNTIL_CLOSE -> append(ctx, in, in.readableBytes());
                    case CHUNK_SIZE -> readChunkSize(ctx, in);
                    case CHUNK_END -> readChunkEnd(ctx, in);
                    case TRAILERS -> readTrailers(ctx, in);
                }
            }
        } finally {
            in.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
        connection.forget(ctx.channel());
        cause = t;
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.forget(ctx.channel());
        HttpScraper.Exchange ex = current;
        if (ex == null) {
            return;
        }
        if (state == State.UNTIL_CLOSE && cause == null) {
            end(ctx);
            return;
        }
        current = null;
        if (retry && !receiving) {
            // The target closed an idle kept connection as we reused it: try once on a fresh one.
            ex.reconnect();
        } else {
            ex.fail(ex.get() + (cause != null ? HttpScraper.describe(cause) : "connection closed before the response was complete"));
        }
    }

    /** Copies header bytes until the empty line that ends them, then sets up reading the body. */
    private void readHead(ChannelHandlerContext ctx, ByteBuf in) {
        if (headLength == head.length) {
            if (headLength >= MAX_HEADER_BYTES) {
                malformed(ctx, "server response headers exceeded " + MAX_HEADER_BYTES + " bytes");
                return;
            }
            head = BodyBuffers.grow(head, headLength, headLength + 1, MAX_HEADER_BYTES);
        }
        // No more than fits: the body that follows in the same read goes to the sink, not here.
        int n = Math.min(in.readableBytes(), head.length - headLength);
        int from = headLength;
        in.getBytes(in.readerIndex(), head, from, n);
        headLength += n;
        for (int i = from; i < headLength; i++) {
            if (head[i] != '\n') {
                continue;
            }
            int lineEnd = i > lineStart && head[i - 1] == '\r' ? i - 1 : i;
            if (lineEnd == lineStart) {
                in.skipBytes(i + 1 - from);
                int end = lineStart;
                headLength = 0;
                lineStart = 0;
                headersComplete(ctx, end);
                return;
            }
            lineStart = i + 1;
        }
        in.skipBytes(n);
    }

    /** Interprets the status line and headers in {@code head[0, end)}. */
    private void headersComplete(ChannelHandlerContext ctx, int end) {
        int lineEnd = lineEnd(0, end);
        // "HTTP/1.1 200 OK": a 1.x version, a space, three digits, then a space and the reason or nothing.
        if (lineEnd < 12 || !startsWith(0, "HTTP/1.") || head[8] != ' ' || !digits(9, 12)
                || (lineEnd > 12 && head[12] != ' ')) {
            malformed(ctx, "malformed HTTP status line " + quoted(0, lineEnd));
            return;
        }
        statusLineEnd = lineEnd;
        status = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
        keepAlive = head[7] != '0';
        gzip = false;
        contentType = null;
        location = null;
        boolean chunked = false;
        long contentLength = -1;
        for (int p = skipNewline(lineEnd, end); p < end; ) {
            int e = lineEnd(p, end);
            int colon = indexOf(p, e, (byte) ':');
            if (colon < 0) {
                malformed(ctx, "malformed MIME header line: " + quoted(p, e));
                return;
            }
            int v = trimStart(colon + 1, e);
            int ve = trimEnd(v, e);
            if (is(p, colon, "content-length")) {
                long length = decimal(v, ve);
                if (length < 0 || (contentLength >= 0 && length != contentLength)) {
                    malformed(ctx, "bad Content-Length " + quoted(v, ve));
                    return;
                }
                contentLength = length;
            } else if (is(p, colon, "transfer-encoding")) {
                if (is(v, ve, "chunked")) {
                    chunked = true;
                } else if (!is(v, ve, "identity")) {
                    malformed(ctx, "unsupported transfer encoding: " + quoted(v, ve));
                    return;
                }
            } else if (is(p, colon, "content-encoding")) {
                // Exactly "gzip", as Prometheus tests it; any other coding is taken as the plain body.
                gzip = ve - v == 4 && startsWith(v, "gzip");
            } else if (is(p, colon, "content-type") && contentType == null) {
                contentType = contentType(v, ve);
            } else if (is(p, colon, "connection")) {
                if (containsToken(v, ve, "close")) {
                    keepAlive = false;
                } else if (containsToken(v, ve, "keep-alive")) {
                    keepAlive = true;
                }
            } else if (is(p, colon, "location") && location == null) {
                location = new String(head, v, ve - v, StandardCharsets.UTF_8);
            }
            p = skipNewline(e, end);
        }
        if (status >= 100 && status < 200 && status != 101) {
            return; // an interim response (100 Continue, 103 Early Hints): the real one follows
        }
        boolean success = status >= 200 && status <= 299;
        if (success) {
            int limit = current.request().bodyLimit();
            if (gzip) {
                sink = buffers.zipped;
                // A gzip body of an allowed size may be a little larger than the body itself when it
                // does not compress: deflate adds about 0.03% at worst (zlib's deflateBound), plus the header.
                sinkMax = (int) Math.min(Integer.MAX_VALUE - 8, limit + (long) limit / 3000 + 1024);
            } else {
                if (contentLength >= limit && !chunked) {
                    bodyTooLarge(ctx);
                    return;
                }
                sink = buffers.body;
                sinkMax = limit - 1;
            }
            if (contentLength > sink.length && contentLength <= sinkMax && !chunked) {
                sink = BodyBuffers.grow(sink, 0, (int) contentLength, sinkMax);
            }
        } else {
            sink = null;
        }
        sinkLength = 0;
        if (status == 101) {
            keepAlive = false; // the target switched protocols: nothing more of HTTP on this connection
        }
        if (status == 204 || status == 304 || status == 101) {
            end(ctx);
        } else if (chunked) {
            startChunk();
        } else if (contentLength >= 0) {
            remaining = contentLength;
            state = State.FIXED;
            if (remaining == 0) {
                end(ctx);
            }
        } else {
            keepAlive = false;
            state = State.UNTIL_CLOSE;
        }
    }

    private void readCounted(ChannelHandlerContext ctx, ByteBuf in) {
        int n = (int) Math.min(remaining, in.readableBytes());
        if (!append(ctx, in, n)) {
            return;
        }
        remaining -= n;
        if (remaining == 0) {
            if (state == State.FIXED) {
                end(ctx);
            } else {
                state = State.CHUNK_END;
            }
        }
    }

    /** Moves {@code n} body bytes into the sink (or past them); false when that failed the scrape. */
    private boolean append(ChannelHandlerContext ctx, ByteBuf in, int n) {
        if (sink == null) {
            in.skipBytes(n);
            return true;
        }
        int need = sinkLength + n;
        if (need > sinkMax || need < 0) {
            bodyTooLarge(ctx);
            return false;
        }
        sink = BodyBuffers.grow(sink, sinkLength, need, sinkMax);
        in.readBytes(sink, sinkLength, n);
        sinkLength = need;
        return true;
    }

    private void startChunk() {
        state = State.CHUNK_SIZE;
        chunkSize = 0;
        chunkDigits = 0;
        chunkExtension = false;
    }

    /** A chunk's hexadecimal size, an optional extension (ignored), and its line end. */
    private void readChunkSize(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.readByte();
            if (b == '\n') {
                if (chunkDigits == 0) {
                    malformed(ctx, "invalid chunk size line");
                } else if (chunkSize == 0) {
                    state = State.TRAILERS;
                    trailerLineLength = 0;
                } else {
                    remaining = chunkSize;
                    state = State.CHUNK_DATA;
                }
                return;
            }
            if (chunkExtension || b == '\r') {
                continue;
            }
            if (b == ';' || b == ' ' || b == '\t') {
                chunkExtension = chunkDigits > 0;
                if (!chunkExtension) {
                    malformed(ctx, "invalid chunk size line");
                    return;
                }
                continue;
            }
            int digit = Character.digit(b, 16);
            if (digit < 0 || chunkDigits >= 15) {
                malformed(ctx, "invalid chunk size line");
                return;
            }
            chunkSize = chunkSize << 4 | digit;
            chunkDigits++;
        }
    }

    /** The line end after a chunk's data. */
    private void readChunkEnd(ChannelHandlerContext ctx, ByteBuf in) {
        byte b = in.readByte();
        if (b == '\n') {
            startChunk();
        } else if (b != '\r') {
            malformed(ctx, "malformed chunked encoding");
        }
    }

    /** Trailer lines after the last chunk (ignored) up to the empty line. */
    private void readTrailers(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.readByte();
            if (b == '\n') {
                if (trailerLineLength == 0) {
                    end(ctx);
                    return;
                }
                trailerLineLength = 0;
            } else if (b != '\r') {
                trailerLineLength++;
            }
        }
    }

    /** The response is complete: hands its outcome to the exchange and readies for the next one. */
    private void end(ChannelHandlerContext ctx) {
        HttpScraper.Exchange ex = current;
        current = null;
        retry = false;
        state = State.HEAD;
        if (!keepAlive) {
            connection.forget(ctx.channel());
            ctx.close();
        }
        if (status < 200 || status > 299) {
            String message = "server returned HTTP status " + statusText();
            if (location != null && RedirectFollower.follows(status)) {
                ex.redirected(message, location);
            } else {
                ex.fail(message);
            }
            return;
        }
        byte[] body;
        int length;
        if (gzip) {
            buffers.zipped = sink;
            try {
                length = buffers.gunzip(sinkLength, ex.request().bodyLimit());
            } catch (DataFormatException e) {
                ex.fail(e.getMessage() != null ? e.getMessage() : "gzip: invalid data");
                return;
            }
            if (length < 0) {
                ex.fail(HttpScraper.BODY_SIZE_LIMIT_EXCEEDED);
                return;
            }
            body = buffers.body;
        } else {
            buffers.body = sink;
            body = sink;
            length = sinkLength;
        }
        sink = null;
        ex.complete(new ScrapeResponse(contentType, buffers.view(body, length), System.nanoTime()));
    }

    /** The status line after the version, as Go's Response.Status reads: "500 Internal Server Error". */
    private String statusText() {
        return new String(head, 9, statusLineEnd - 9, StandardCharsets.ISO_8859_1).strip();
    }

    private void bodyTooLarge(ChannelHandlerContext ctx) {
        HttpScraper.Exchange ex = current;
        abandon(ctx);
        ex.fail(HttpScraper.BODY_SIZE_LIMIT_EXCEEDED);
    }

    private void malformed(ChannelHandlerContext ctx, String problem) {
        HttpScraper.Exchange ex = current;
        abandon(ctx);
        ex.fail(ex.get() + "malformed HTTP response: " + problem);
    }

    /** Drops the current exchange (its caller reports why) and the connection, whose framing is lost. */
    private void abandon(ChannelHandlerContext ctx) {
        current = null;
        retry = false;
        sink = null;
        state = State.HEAD;
        headLength = 0;
        lineStart = 0;
        connection.forget(ctx.channel());
        ctx.close();
    }

    private String contentType(int from, int to) {
        byte[] last = lastContentTypeBytes;
        if (last.length == to - from && Arrays.equals(last, 0, last.length, head, from, to)) {
            return lastContentType;
        }
        lastContentTypeBytes = Arrays.copyOfRange(head, from, to);
        lastContentType = new String(lastContentTypeBytes, StandardCharsets.ISO_8859_1);
        return lastContentType;
    }

    private int lineEnd(int from, int end) {
        int i = indexOf(from, end, (byte) '\n');
        int e = i < 0 ? end : i;
        return e > from && head[e - 1] == '\r' ? e - 1 : e;
    }

    private int skipNewline(int at, int end) {
        if (at < end && head[at] == '\r') {
            at++;
        }
        return at < end && head[at] == '\n' ? at + 1 : at;
    }

    private int indexOf(int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (head[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private int trimStart(int from, int to) {
        while (from < to && (head[from] == ' ' || head[from] == '\t')) {
            from++;
        }
        return from;
    }

    private int trimEnd(int from, int to) {
        while (to > from && (head[to - 1] == ' ' || head[to - 1] == '\t')) {
            to--;
        }
        return to;
    }

    private boolean startsWith(int at, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            if (head[at + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean digits(int from, int to) {
        for (int i = from; i < to; i++) {
            if (head[i] < '0' || head[i] > '9') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code head[from, to)} is {@code lowerCase} ignoring ASCII case (header names and tokens). */
    private boolean is(int from, int to, String lowerCase) {
        to = trimEnd(from, to);
        if (to - from != lowerCase.length()) {
            return false;
        }
        for (int i = 0; i < lowerCase.length(); i++) {
            int c = head[from + i];
            if ((c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c) != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean containsToken(int from, int to, String lowerCase) {
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i == to || head[i] == ',') {
                if (is(trimStart(start, i), i, lowerCase)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /** A non-negative decimal, or -1 when not one. */
    private long decimal(int from, int to) {
        if (from == to || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            if (head[i] < '0' || head[i] > '9') {
                return -1;
            }
            v = v * 10 + head[i] - '0';
        }
        return v;
    }

    private String quoted(int from, int to) {
        return '"' + new String(head, from, Math.min(to - from, 200), StandardCharsets.ISO_8859_1) + '"';
    }
}
