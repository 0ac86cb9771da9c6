package io.promlite.web;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP listener: Netty event loops decode and encode, handlers run on a separate bounded
 * executor. Responses are gzip-compressed for clients that accept it.
 */
public final class HttpServer implements AutoCloseable {
    /** Largest request body accepted (remote-write batches are far smaller). */
    static final int MAX_BODY_BYTES = 32 << 20;
    /**
     * How much of a streamed response may wait for the socket before its writer waits for the
     * client: a dashboard's matrix (a few hundred KiB to a MiB) goes out without the writer
     * stopping at each chunk for the event loop, while a slow client still holds back a
     * larger one. Netty's default (64 KiB) made the writer wait for every chunk. Only a response
     * being written fills this, and writers run on the bounded handler pools, so the total held is
     * at most those pools' threads × 1 MiB, not the connection limit × 1 MiB.
     */
    static final WriteBufferWaterMark RESPONSE_BUFFER = new WriteBufferWaterMark(512 << 10, 1 << 20);

    private final EventLoopGroup group;
    private final Channel channel;
    private final RequestHandler handler;

    private HttpServer(EventLoopGroup group, Channel channel, RequestHandler handler) {
        this.group = group;
        this.channel = channel;
        this.handler = handler;
    }

    /** Binds the listener. */
    public static HttpServer start(ListenAddress address, Router router, ExecutorService workers,
                                   ServerOptions options, RequestMetrics metrics) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                Math.max(1, Runtime.getRuntime().availableProcessors()), NioIoHandler.newFactory());
        RequestHandler handler = new RequestHandler(router, workers, options.routePrefix(), metrics);
        ConnectionGuard guard = new ConnectionGuard(options.maxConnections());
        long readTimeoutMs = options.readTimeout().toMillis();
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, RESPONSE_BUFFER)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new IdleStateHandler(readTimeoutMs, 0, 0, TimeUnit.MILLISECONDS))
                                    .addLast(guard)
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpContentCompressor())
                                    .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                                    .addLast(handler);
                        }
                    })
                    .bind(address.toSocketAddress()).sync().channel();
            return new HttpServer(group, channel, handler);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** Serves every following request with {@code router}. */
    public void routeTo(Router router) {
        handler.routeTo(router);
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
