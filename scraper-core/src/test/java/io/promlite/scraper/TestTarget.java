package io.promlite.scraper;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;

/** A real HTTP exporter on 127.0.0.1 whose answer tests change while it runs. */
public final class TestTarget implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private volatile String body = "";
    private volatile int status = 200;
    private volatile long delayMs;
    private volatile boolean gzip;
    private volatile String contentType = "text/plain; version=0.0.4; charset=utf-8";
    private volatile Headers lastRequestHeaders;
    private volatile String lastRequestUri;
    private volatile boolean closeConnections;
    private volatile boolean chunked;
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();

    public TestTarget() {
        this(null);
    }

    /** A target served over https with {@code tls}'s certificate, or plain http when null. */
    public TestTarget(SSLContext tls) {
        try {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", 0);
            if (tls == null) {
                server = HttpServer.create(address, 0);
            } else {
                HttpsServer https = HttpsServer.create(address, 0);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            lastRequestHeaders = exchange.getRequestHeaders();
            lastRequestUri = exchange.getRequestURI().toString();
            clientPorts.add(exchange.getRemoteAddress().getPort());
            requests.incrementAndGet();
            try {
                if (delayMs > 0) {
                    Thread.sleep(delayMs);
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                if (gzip) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
                        z.write(bytes);
                    }
                    bytes = out.toByteArray();
                    exchange.getResponseHeaders().set("Content-Encoding", "gzip");
                }
                exchange.getResponseHeaders().set("Content-Type", contentType);
                if (closeConnections) {
                    exchange.getResponseHeaders().set("Connection", "close");
                }
                // Length 0 makes the JDK server send the body with chunked transfer encoding.
                exchange.sendResponseHeaders(status, chunked ? 0 : bytes.length == 0 ? -1 : bytes.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(bytes);
                }
            } catch (InterruptedException | IOException e) {
                // The scraper gave up (timeout); nothing to answer.
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(handlers);
        server.start();
    }

    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public TestTarget body(String body) {
        this.body = body;
        return this;
    }

    public TestTarget status(int status) {
        this.status = status;
        return this;
    }

    public TestTarget delayMs(long delayMs) {
        this.delayMs = delayMs;
        return this;
    }

    public TestTarget gzip(boolean gzip) {
        this.gzip = gzip;
        return this;
    }

    public TestTarget contentType(String contentType) {
        this.contentType = contentType;
        return this;
    }

    /** Sends bodies with chunked transfer encoding, as most Go exporters do. */
    public TestTarget chunked(boolean chunked) {
        this.chunked = chunked;
        return this;
    }

    /** Answers with {@code Connection: close}, so every scrape needs a new connection. */
    public TestTarget closeConnections(boolean close) {
        this.closeConnections = close;
        return this;
    }

    /** How many distinct client connections (by source port) have sent requests. */
    public int connections() {
        return clientPorts.size();
    }

    public Headers lastRequestHeaders() {
        return lastRequestHeaders;
    }

    public String lastRequestUri() {
        return lastRequestUri;
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
