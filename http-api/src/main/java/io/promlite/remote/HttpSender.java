package io.promlite.remote;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.promlite.config.RemoteWriteConfig;
import io.promlite.config.TlsConfig;
import io.promlite.scraper.tls.TlsClientContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Posts remote-write requests over HTTP/1.1 with the headers remote write 1.0 requires and the
 * queue's {@code headers}, {@code basic_auth}, {@code authorization} and {@code tls_config}.
 * Credentials files are read at every request, as Prometheus does, so a rotated token is picked
 * up without a reload. Thread-safe.
 *
 * <p>Netty's HTTP client codec on one event-loop thread per queue, rather than the JDK's
 * {@code HttpClient}: each sending thread borrows a kept-alive channel and waits for its answer,
 * one hand-off per request, where the JDK client passes every request across several of its
 * threads and costs more CPU per request than encoding and compressing its samples. Redirects
 * are not followed and no proxy is used. {@code remote_timeout} bounds the whole request
 * (connect, TLS handshake, sending, the answer), as Prometheus's client does.
 */
final class HttpSender implements AutoCloseable {
    /** The outcome of one request: an HTTP status, or {@link #NETWORK_ERROR}. */
    static final int NETWORK_ERROR = -1;
    /** Bytes of an error answer's body kept for the log line. */
    private static final int ERROR_TEXT_BYTES = 512;

    private final RemoteWriteConfig config;
    private final String host;
    private final int port;
    private final String pathAndQuery;
    private final long timeoutNanos;
    private final EventLoopGroup eventLoop;
    private final Bootstrap bootstrap;
    /** Every header but the per-request ones. */
    private final HttpHeaders fixedHeaders;
    /** The {@code Authorization} value when it does not come from a file. */
    private final String fixedAuthorization;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final Set<Connection> open = new HashSet<>();
    private boolean closed;

    HttpSender(RemoteWriteConfig config, String userAgent) {
        this.config = config;
        URI uri = URI.create(config.url());
        boolean https = uri.getScheme().equals("https");
        this.host = uri.getHost();
        this.port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        this.pathAndQuery = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        this.timeoutNanos = Math.max(1, config.remoteTimeout().toNanos());
        HttpHeaders headers = new DefaultHttpHeaders();
        header(headers, "Host", uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1));
        header(headers, "Content-Encoding", "snappy");
        header(headers, "Content-Type", "application/x-protobuf");
        header(headers, "User-Agent", userAgent);
        header(headers, "X-Prometheus-Remote-Write-Version", "0.1.0");
        config.headers().forEach((name, value) -> header(headers, name, value));
        this.fixedHeaders = headers;
        try {
            this.fixedAuthorization = usesCredentialsFile() ? null : checkedAuthorization(authorization());
        } catch (IOException notReadWithoutAFile) {
            throw new UncheckedIOException(notReadWithoutAFile);
        }
        SslContext tls = https ? sslContext(config.tlsConfig()) : null;
        String tlsName = config.tlsConfig().serverName() == null ? host : config.tlsConfig().serverName();
        this.eventLoop = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("promlite-remote-" + config.queueName() + "-io", true),
                NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap().group(eventLoop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, Math.max(1, config.remoteTimeout().toMillis())))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            // The server name is both the SNI name and the name the certificate must hold.
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), tlsName, port));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), new Connection(ch));
                    }
                });
    }

    private static void header(HttpHeaders headers, String name, String value) {
        // A line break would let a header value add headers or end the request's head.
        if (hasLineBreak(name) || hasLineBreak(value)) {
            throw new IllegalArgumentException("header " + name + ": line breaks are not allowed");
        }
        headers.add(name, value);
    }

    private static boolean hasLineBreak(String s) {
        return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
    }

    /** What one request came back with; one per shard, reused. */
    static final class Outcome {
        /** The HTTP status, or {@link #NETWORK_ERROR}. */
        int status;
        /** The receiver's {@code Retry-After} in milliseconds, 0 when it sent none. */
        long retryAfterMs;
        /** The first line of an error body, or the network error. */
        final StringBuilder error = new StringBuilder();
    }

    /**
     * Posts {@code body[0, length)} and fills {@code out}. {@code body} is not read once this
     * returns, so the caller may reuse it.
     */
    void send(byte[] body, int length, Outcome out) throws InterruptedException {
        out.status = NETWORK_ERROR;
        out.retryAfterMs = 0;
        out.error.setLength(0);
        long deadline = System.nanoTime() + timeoutNanos;
        Connection c = null;
        try {
            String authorization = fixedAuthorization != null ? fixedAuthorization : checkedAuthorization(authorization());
            c = borrow(deadline);
            try {
                c.exchange(request(body, length, authorization), deadline);
            } catch (IOException e) {
                // A kept-alive connection the receiver closed while idle fails before any answer:
                // that is no answer from the receiver, so the request goes once more on a new one.
                if (c.requests == 1 || c.answered) {
                    throw e;
                }
                discard(c);
                c = borrow(deadline);
                c.exchange(request(body, length, authorization), deadline);
            }
            out.status = c.status;
            out.retryAfterMs = c.retryAfterMs;
            if (c.status / 100 != 2) {
                // Prometheus logs the first line of an error body.
                String text = new String(c.errorText, 0, c.errorTextLength, StandardCharsets.UTF_8);
                int newline = text.indexOf('\n');
                out.error.append(newline < 0 ? text : text.substring(0, newline));
            }
            giveBack(c);
        } catch (IOException | TimeoutException e) {
            if (c != null) {
                discard(c);
            }
            out.status = NETWORK_ERROR;
            out.error.setLength(0);
            out.error.append(e.getClass().getSimpleName()).append(e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            if (c != null) {
                discard(c);
            }
            throw e;
        }
    }

    private FullHttpRequest request(byte[] body, int length, String authorization) {
        HttpHeaders headers = new DefaultHttpHeaders().set(fixedHeaders);
        if (authorization != null) {
            headers.set("Authorization", authorization);
        }
        headers.set("Content-Length", length);
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, pathAndQuery,
                Unpooled.wrappedBuffer(body, 0, length), headers, EmptyHttpHeaders.INSTANCE);
    }

    /** Closes every connection, in use or not: requests under way fail at once, later ones too. */
    @Override
    public void close() {
        List<Connection> all;
        synchronized (this) {
            closed = true;
            all = List.copyOf(open);
            open.clear();
            idle.clear();
        }
        for (Connection c : all) {
            c.close();
        }
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private Connection borrow(long deadline) throws IOException, TimeoutException, InterruptedException {
        synchronized (this) {
            if (closed) {
                throw new IOException("the queue stopped");
            }
            Connection c;
            while ((c = idle.pollLast()) != null) {
                if (c.channel.isActive()) {
                    return c;
                }
                open.remove(c);
            }
        }
        Connection c = connect(deadline);
        synchronized (this) {
            if (closed) {
                c.close();
                throw new IOException("the queue stopped");
            }
            open.add(c);
        }
        return c;
    }

    private void giveBack(Connection c) {
        if (!c.keepAlive) {
            discard(c);
            return;
        }
        synchronized (this) {
            if (!closed) {
                idle.addLast(c);
                return;
            }
        }
        c.close();
    }

    private void discard(Connection c) {
        synchronized (this) {
            open.remove(c);
        }
        c.close();
    }

    private Connection connect(long deadline) throws IOException, TimeoutException, InterruptedException {
        ChannelFuture connected = bootstrap.connect(host, port);
        Channel channel = connected.channel();
        try {
            await(connected, deadline);
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (ssl != null) {
                await(ssl.handshakeFuture(), deadline);
            }
            return channel.pipeline().get(Connection.class);
        } catch (IOException | TimeoutException | InterruptedException | RuntimeException e) {
            closeAndWait(channel);
            throw e;
        }
    }

    /** Bounded, as a close the event loop never runs (it stopped) must not hang the caller. */
    private static void closeAndWait(Channel channel) {
        channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    }

    /** Waits for {@code f} until {@code deadline}; its failure comes out as an IOException. */
    private static void await(Future<?> f, long deadline) throws IOException, TimeoutException, InterruptedException {
        if (!f.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("remote_timeout reached");
        }
        if (!f.isSuccess()) {
            Throwable cause = f.cause();
            throw cause instanceof IOException io ? io
                    : new IOException(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        }
    }

    /**
     * One kept-alive HTTP/1.1 connection, used by one sending thread at a time; its handler
     * collects the answer to the request under way on the event loop. The sender sets the fields
     * before writing the request and reads them after {@link #answer} completes, which orders the
     * accesses.
     */
    private static final class Connection extends SimpleChannelInboundHandler<HttpObject> {
        final Channel channel;
        final byte[] errorText = new byte[ERROR_TEXT_BYTES];
        int errorTextLength;
        int requests;
        /** Whether the head of the current request's answer arrived. */
        boolean answered;
        boolean keepAlive;
        int status;
        long retryAfterMs;
        /** Within a 1xx answer, which the real answer follows. */
        private boolean informational;
        private Promise<Void> answer;

        Connection(Channel channel) {
            this.channel = channel;
        }

        void exchange(FullHttpRequest request, long deadline) throws IOException, TimeoutException, InterruptedException {
            requests++;
            answered = false;
            keepAlive = false;
            informational = false;
            status = 0;
            retryAfterMs = 0;
            errorTextLength = 0;
            Promise<Void> done = channel.eventLoop().newPromise();
            answer = done;
            ChannelFuture written = channel.writeAndFlush(request);
            written.addListener(w -> {
                if (!w.isSuccess()) {
                    done.tryFailure(w.cause());
                }
            });
            await(done, deadline);
            // A receiver may answer before reading the whole body; the body's array goes back to the
            // caller, so a write still under way ends with its connection.
            if (!written.isDone()) {
                keepAlive = false;
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response) {
                answered = true;
                informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
                if (!informational) {
                    status = response.status().code();
                    keepAlive = HttpUtil.isKeepAlive(response);
                    String retryAfter = response.headers().get("Retry-After");
                    retryAfterMs = retryAfter == null ? 0 : retryAfterMs(retryAfter);
                }
            }
            if (informational) {
                return;
            }
            if (msg instanceof HttpContent content && status / 100 != 2) {
                ByteBuf b = content.content();
                int n = Math.min(b.readableBytes(), errorText.length - errorTextLength);
                b.getBytes(b.readerIndex(), errorText, errorTextLength, n);
                errorTextLength += n;
            }
            if (msg instanceof LastHttpContent && answer != null) {
                answer.trySuccess(null);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (answer != null) {
                answer.tryFailure(new ClosedChannelException());
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (answer != null) {
                answer.tryFailure(cause);
            }
            ctx.close();
        }

        /** Closes the channel and waits, so no write still reads a request's body afterwards. */
        void close() {
            closeAndWait(channel);
        }
    }

    /** {@code Retry-After} as seconds or an HTTP date, as Prometheus reads it; 0 when it is neither. */
    static long retryAfterMs(String value) {
        try {
            return Math.max(0, Long.parseLong(value.trim()) * 1000);
        } catch (NumberFormatException notSeconds) {
            try {
                long at = java.time.ZonedDateTime.parse(value.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant().toEpochMilli();
                return Math.max(0, at - System.currentTimeMillis());
            } catch (java.time.format.DateTimeParseException neither) {
                return 0;
            }
        }
    }

    private boolean usesCredentialsFile() {
        return config.basicAuth() != null && !config.basicAuth().passwordFile().isEmpty()
                || config.basicAuth() == null && config.authorization() != null
                && !config.authorization().credentialsFile().isEmpty();
    }

    /** {@code authorization}, refused when a line break in it would end the header. */
    private static String checkedAuthorization(String authorization) throws IOException {
        if (authorization != null && hasLineBreak(authorization)) {
            throw new IOException("credentials: line breaks are not allowed");
        }
        return authorization;
    }

    private String authorization() throws IOException {
        if (config.basicAuth() != null) {
            RemoteWriteConfig.BasicAuth b = config.basicAuth();
            String password = b.passwordFile().isEmpty() ? b.password() : readSecret(b.passwordFile());
            return "Basic " + Base64.getEncoder().encodeToString(
                    (b.username() + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        if (config.authorization() != null) {
            RemoteWriteConfig.Authorization a = config.authorization();
            String credentials = a.credentialsFile().isEmpty() ? a.credentials() : readSecret(a.credentialsFile());
            return a.type() + " " + credentials;
        }
        return null;
    }

    private static String readSecret(String file) throws IOException {
        return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    }

    /** The TLS context for {@code tls_config}; unusable settings fail the sender's creation. */
    private static SslContext sslContext(TlsConfig tls) {
        try {
            return TlsClientContext.build(tls);
        } catch (IOException e) {
            throw new IllegalArgumentException("tls_config: " + e.getMessage(), e);
        }
    }
}
