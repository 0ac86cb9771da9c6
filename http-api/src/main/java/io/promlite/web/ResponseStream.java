package io.promlite.web;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The body of a written response. Up to {@link #CHUNK} bytes are buffered; a body that fits is
 * sent whole with a Content-Length. A larger one goes out with chunked transfer encoding, one
 * chunk per filled buffer. When the socket's outbound buffer is full the writing worker waits
 * for it to drain, so a slow client holds back the producer instead of filling memory.
 */
final class ResponseStream extends OutputStream {
    static final int CHUNK = 64 << 10;

    private final ChannelHandlerContext ctx;
    private final HttpResponseStatus status;
    private final String contentType;
    private final boolean keepAlive;
    private final byte[] buf = new byte[CHUNK];
    private int count;
    private boolean headersSent;

    ResponseStream(ChannelHandlerContext ctx, HttpResponseStatus status, String contentType, boolean keepAlive) {
        this.ctx = ctx;
        this.status = status;
        this.contentType = contentType;
        this.keepAlive = keepAlive;
    }

    /** Whether part of the response is on its way, so an error can no longer change its status. */
    boolean started() {
        return headersSent;
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buf.length) {
            sendChunk();
        }
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (count == buf.length) {
                sendChunk();
            }
            int n = Math.min(len, buf.length - count);
            System.arraycopy(b, off, buf, count, n);
            count += n;
            off += n;
            len -= n;
        }
    }

    private void sendChunk() throws IOException {
        if (!ctx.channel().isActive()) {
            throw new IOException("client closed the connection");
        }
        if (!headersSent) {
            DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            if (keepAlive) {
                head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.write(head);
            headersSent = true;
        }
        ChannelFuture f = ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buf, 0, count)));
        count = 0;
        if (!ctx.channel().isWritable()) {
            f.awaitUninterruptibly();
            if (!f.isSuccess()) {
                throw new IOException("writing the response failed", f.cause());
            }
        }
    }

    /** Sends what is buffered: the whole response, or the last chunk and the end of the stream. */
    void finish() {
        if (!headersSent) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(buf, 0, count));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType).setInt(HttpHeaderNames.CONTENT_LENGTH, count);
            RequestHandler.write(ctx, r, keepAlive);
            return;
        }
        if (count > 0) {
            ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer(buf, 0, count)));
        }
        ChannelFuture f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Ends a response that failed after its first chunk: the client sees a truncated stream. */
    void abort() {
        ctx.close();
    }
}
