package io.promlite.app;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A real HTTP scrape target on loopback whose exposition body a test can change at will. */
final class TestTarget implements AutoCloseable {
    private final HttpServer server;
    private volatile String body;

    TestTarget(String initialBody) throws IOException {
        this(initialBody, new InetSocketAddress("127.0.0.1", 0));
    }

    /** A target on a given loopback address and port, e.g. one of several behind one DNS name. */
    TestTarget(String initialBody, InetSocketAddress bind) throws IOException {
        this.body = initialBody;
        server = HttpServer.create(bind, 0);
        server.createContext("/metrics", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    String address() {
        return server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    int port() {
        return server.getAddress().getPort();
    }

    void serve(String newBody) {
        body = newBody;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
