package io.promlite.scraper.scrape;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Fetches one scrape over Netty's HTTP client: a connection per scrape, the whole response
 * aggregated up to the body size limit (after gzip decoding), a deadline covering connect,
 * request and response. Futures complete on an event-loop thread, so callers hand the work on.
 */
final class HttpScraper {
    /** The formats promlite parses, preferred first, in Prometheus's Accept syntax. */
    static final String ACCEPT = "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /** Used when a job sets no body_size_limit, so one runaway target cannot exhaust the heap. */
    static final int DEFAULT_BODY_LIMIT_BYTES = 256 << 20;

    private final EventLoopGroup group;
    private final String userAgent;
    private volatile SslContext sslContext;

    HttpScraper(EventLoopGroup group, String userAgent) {
        this.group = group;
        this.userAgent = userAgent;
    }

    CompletableFuture<ScrapeResponse> fetch(ScrapeTarget target, InetAddress address, long bodyLimitBytes) {
        CompletableFuture<ScrapeResponse> result = new CompletableFuture<>();
        int limit = bodyLimitBytes <= 0 || bodyLimitBytes > Integer.MAX_VALUE
                ? DEFAULT_BODY_LIMIT_BYTES : (int) bodyLimitBytes;
        long timeoutMs = target.timeout().toMillis();
        SslContext ssl = target.scheme().equals("https") ? sslContext() : null;
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeoutMs, Integer.MAX_VALUE))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast(ssl.newHandler(ch.alloc(), target.host(), target.port()));
                        }
                        p.addLast(new HttpClientCodec());
                        p.addLast(new HttpContentDecompressor(0));
                        p.addLast(new HttpObjectAggregator(limit));
                        p.addLast(new ResponseHandler(target, result));
                    }
                });
        ChannelFuture connect = bootstrap.connect(new InetSocketAddress(address, target.port()));
        Channel channel = connect.channel();
        ScheduledFuture<?> deadline = channel.eventLoop().schedule(() -> {
            result.completeExceptionally(new ScrapeFailure(
                    "Get \"" + target.url() + "\": context deadline exceeded"));
            channel.close();
        }, timeoutMs, TimeUnit.MILLISECONDS);
        result.whenComplete((r, e) -> deadline.cancel(false));
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new ScrapeFailure("Get \"" + target.url() + "\": " + describe(f.cause())));
                return;
            }
            channel.writeAndFlush(request(target)).addListener(w -> {
                if (!w.isSuccess()) {
                    result.completeExceptionally(new ScrapeFailure(
                            "Get \"" + target.url() + "\": " + describe(w.cause())));
                    channel.close();
                }
            });
        });
        return result;
    }

    private DefaultFullHttpRequest request(ScrapeTarget target) {
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                target.pathAndQuery().isEmpty() ? "/" : target.pathAndQuery());
        HttpHeaders h = req.headers();
        h.set(HttpHeaderNames.HOST, target.address());
        h.set(HttpHeaderNames.ACCEPT, ACCEPT);
        h.set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.GZIP);
        h.set(HttpHeaderNames.USER_AGENT, userAgent);
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        h.set("X-Prometheus-Scrape-Timeout-Seconds", timeoutSeconds(target.timeout()));
        return req;
    }

    /** Seconds as Go's FormatFloat(s, 'f', -1, 64) prints them: {@code 10}, {@code 0.5}. */
    static String timeoutSeconds(Duration timeout) {
        return BigDecimal.valueOf(timeout.toMillis(), 3).stripTrailingZeros().toPlainString();
    }

    private SslContext sslContext() {
        SslContext ctx = sslContext;
        if (ctx == null) {
            synchronized (this) {
                if (sslContext == null) {
                    try {
                        sslContext = SslContextBuilder.forClient().build();
                    } catch (SSLException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                ctx = sslContext;
            }
        }
        return ctx;
    }

    private static String describe(Throwable t) {
        if (t instanceof TooLongHttpContentException) {
            return "body size limit exceeded";
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final ScrapeTarget target;
        private final CompletableFuture<ScrapeResponse> result;

        ResponseHandler(ScrapeTarget target, CompletableFuture<ScrapeResponse> result) {
            this.target = target;
            this.result = result;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            ctx.close();
            if (!response.decoderResult().isSuccess()) {
                fail("Get \"" + target.url() + "\": malformed HTTP response: " + describe(response.decoderResult().cause()));
                return;
            }
            int code = response.status().code();
            if (code < 200 || code > 299) {
                fail("server returned HTTP status " + response.status());
                return;
            }
            ScrapeResponse r = new ScrapeResponse(response.headers().get(HttpHeaderNames.CONTENT_TYPE),
                    response.content().retain(), System.nanoTime());
            if (!result.complete(r)) {
                r.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
            if (cause instanceof TooLongHttpContentException) {
                fail("body size limit exceeded");
            } else {
                fail("Get \"" + target.url() + "\": " + describe(cause));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail("Get \"" + target.url() + "\": connection closed before the response was complete");
        }

        private void fail(String message) {
            result.completeExceptionally(new ScrapeFailure(message));
        }
    }
}
