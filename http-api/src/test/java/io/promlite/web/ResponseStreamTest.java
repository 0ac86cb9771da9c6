package io.promlite.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every buffer a streamed response takes from the channel's allocator is released, whichever way
 * the response ends: sent whole, sent in chunks, the client gone mid-stream, or the writer failing
 * before or after the first chunk. (A lost pooled buffer would never return to the pool.)
 */
class ResponseStreamTest {
    private static final HttpRequest REQUEST = new HttpRequest(HttpMethod.GET, "/api/v1/query", Map.of(),
            new DefaultHttpHeaders());

    /** Hands out heap buffers and remembers each, so a test can check that all were released. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> made = new ArrayList<>();

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            made.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx;

    ResponseStreamTest() {
        channel.config().setAllocator(alloc);
        ctx = channel.pipeline().firstContext();
    }

    private void stream(HttpResponse.BodyWriter writer) {
        RequestHandler.stream(ctx, REQUEST, HttpResponse.streamed(HttpResponseStatus.OK, "application/json", writer),
                true);
    }

    /** Releases what reached the "socket" (as the transport does once written), then checks the rest. */
    private void assertAllReleased() {
        for (Object m; (m = channel.readOutbound()) != null; ) {
            ReferenceCountUtil.release(m);
        }
        channel.finishAndReleaseAll();
        assertFalse(alloc.made.isEmpty());
        for (ByteBuf b : alloc.made) {
            assertEquals(0, b.refCnt(), "a buffer of the response is still held");
        }
    }

    @Test
    void smallResponseSentWhole() {
        stream(out -> out.write(new byte[100]));
        assertAllReleased();
    }

    @Test
    void largeResponseSentInChunks() {
        stream(out -> out.write(new byte[3 * ResponseStream.CHUNK + 1]));
        assertAllReleased();
    }

    @Test
    void chunkedResponseEndingOnAChunkBoundary() {
        stream(out -> out.write(new byte[2 * ResponseStream.CHUNK]));
        assertAllReleased();
    }

    @Test
    void clientGoneMidStream() {
        stream(out -> {
            out.write(new byte[ResponseStream.CHUNK + 1]);
            channel.close();
            out.write(new byte[2 * ResponseStream.CHUNK]);
        });
        assertFalse(channel.isOpen());
        assertAllReleased();
    }

    @Test
    void writerFailingAfterTheFirstChunk() {
        stream(out -> {
            out.write(new byte[ResponseStream.CHUNK + 1]);
            throw new IOException("query timed out");
        });
        assertFalse(channel.isOpen(), "a truncated stream ends the connection");
        assertAllReleased();
    }

    @Test
    void writerFailingBeforeAnythingWasSent() {
        stream(out -> {
            out.write(new byte[100]);
            throw new IllegalStateException("evaluation failed");
        });
        Object head = channel.readOutbound();
        assertTrue(head instanceof FullHttpResponse);
        assertEquals(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                ((FullHttpResponse) head).status());
        ReferenceCountUtil.release(head);
        assertAllReleased();
    }

    @Test
    void writerThrowingAnError() {
        assertThrows(StackOverflowError.class, () -> stream(out -> {
            out.write(new byte[100]);
            throw new StackOverflowError();
        }));
        assertAllReleased();
    }
}
