package io.promlite.web;

import io.netty.buffer.ByteBuf;
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
 *
 * <p>The buffers come from the channel's (pooled) allocator and are handed to the channel as
 * they are: a large result is not copied once more on its way out. Every exit releases or hands
 * over the current buffer: {@link #finish}, {@link #abort} or {@link #discard}.
 */
final class ResponseStream extends OutputStream {
    static final int CHUNK = 64 << 10;

    private final ChannelHandlerContext ctx;
    private final HttpResponseStatus status;
    private final String contentType;
    private final boolean keepAlive;
    private ByteBuf buf;
    private boolean headersSent;

    ResponseStream(ChannelHandlerContext ctx, HttpResponseStatus status, String contentType, boolean keepAlive) {
        this.ctx = ctx;
        this.status = status;
        this.contentType = contentType;
        this.keepAlive = keepAlive;
        this.buf = ctx.alloc().buffer(CHUNK, CHUNK);
    }

    /** Whether part of the response is on its way, so an error can no longer change its status. */
    boolean started() {
        return headersSent;
    }

    @Override
    public void write(int b) throws IOException {
        if (!buf.isWritable()) {
            sendChunk();
        }
        buf.writeByte(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (!buf.isWritable()) {
                sendChunk();
            }
            int n = Math.min(len, buf.writableBytes());
            buf.writeBytes(b, off, n);
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
        ByteBuf full = buf;
        buf = ctx.alloc().buffer(CHUNK, CHUNK);
        ChannelFuture f = ctx.writeAndFlush(new DefaultHttpContent(full));
        if (!ctx.channel().isWritable()) {
            f.awaitUninterruptibly();
            if (!f.isSuccess()) {
                throw new IOException("writing the response failed", f.cause());
            }
        }
    }

    /** Sends what is buffered: the whole response, or the last chunk and the end of the stream. */
    void finish() {
        ByteBuf last = buf;
        buf = null;
        if (!headersSent) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, last);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, last.readableBytes());
            RequestHandler.write(ctx, r, keepAlive);
            return;
        }
        if (last.isReadable()) {
            ctx.write(new DefaultHttpContent(last));
        } else {
            last.release();
        }
        ChannelFuture f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Ends a response that failed after its first chunk: the client sees a truncated stream. */
    void abort() {
        discard();
        ctx.close();
    }

    /** Drops what is buffered, for a response that is replaced (an error before anything was sent). */
    void discard() {
        if (buf != null) {
            buf.release();
            buf = null;
        }
    }
}
