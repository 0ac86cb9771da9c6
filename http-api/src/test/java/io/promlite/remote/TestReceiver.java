package io.promlite.remote;

import com.sun.net.httpserver.HttpServer;
import io.promlite.remote.wire.RemoteWriteException;
import io.promlite.remote.wire.SnappyBlock;
import io.promlite.remote.wire.TimeSeries;
import io.promlite.remote.wire.WriteRequestDecoder;
import io.promlite.tsdb.model.Labels;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A remote-write receiver on loopback that answers whatever status the test tells it to, and
 * records (decoded with promlite's own decoder) the samples of the requests it accepts.
 */
public final class TestReceiver implements AutoCloseable {
    private final HttpServer server;
    private volatile IntSupplier status = () -> 204;
    /** Sent as {@code Retry-After} with every error answer when set. */
    public volatile String retryAfter;
    private final Map<Labels, List<long[]>> accepted = new LinkedHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    volatile String lastAuthorization;
    volatile String lastUserAgent;

    public TestReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/write", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            lastAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
            lastUserAgent = exchange.getRequestHeaders().getFirst("User-Agent");
            int code = status.getAsInt();
            if (code / 100 == 2) {
                try {
                    List<TimeSeries> series = WriteRequestDecoder.decode(SnappyBlock.decode(body, 64 << 20));
                    synchronized (accepted) {
                        for (TimeSeries s : series) {
                            List<long[]> samples = accepted.computeIfAbsent(s.labels(), k -> new ArrayList<>());
                            for (int i = 0; i < s.sampleCount(); i++) {
                                samples.add(new long[] {s.timestamps()[i], Double.doubleToRawLongBits(s.values()[i])});
                            }
                        }
                    }
                } catch (RemoteWriteException e) {
                    code = 400;
                }
            }
            if (code / 100 != 2 && retryAfter != null) {
                exchange.getResponseHeaders().set("Retry-After", retryAfter);
            }
            exchange.sendResponseHeaders(code, -1);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write";
    }

    public void answer(IntSupplier status) {
        this.status = status;
    }

    /** Accepted samples per series: {timestamp, value bits}, in arrival order. */
    public Map<Labels, List<long[]>> accepted() {
        synchronized (accepted) {
            Map<Labels, List<long[]>> copy = new LinkedHashMap<>();
            accepted.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
            return copy;
        }
    }

    public int acceptedSamples() {
        synchronized (accepted) {
            return accepted.values().stream().mapToInt(List::size).sum();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
