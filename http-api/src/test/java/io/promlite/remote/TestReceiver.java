package io.promlite.remote;

import com.sun.net.httpserver.HttpServer;
import io.promlite.remote.wire.RemoteWriteException;
import io.promlite.remote.wire.SnappyBlock;
import io.promlite.remote.wire.TimeSeries;
import io.promlite.remote.wire.WriteRequestDecoder;
import io.promlite.tsdb.model.Labels;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A remote-write receiver on loopback that answers whatever status the test tells it to, and
 * records the samples (decoded with promlite's own decoder) and metric metadata of the requests it
 * accepts.
 */
public final class TestReceiver implements AutoCloseable {
    private final HttpServer server;
    private volatile IntSupplier status = () -> 204;
    /** Sent as {@code Retry-After} with every error answer when set. */
    public volatile String retryAfter;
    private final Map<Labels, List<long[]>> accepted = new LinkedHashMap<>();
    private final List<List<Metadata>> metadataRequests = new ArrayList<>();
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
                    byte[] message = SnappyBlock.decode(body, 64 << 20);
                    List<TimeSeries> series = WriteRequestDecoder.decode(message);
                    List<Metadata> metadata = Metadata.decodeAll(message);
                    synchronized (accepted) {
                        if (!metadata.isEmpty()) {
                            metadataRequests.add(metadata);
                        }
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

    /** The {@code MetricMetadata} entries of each accepted request that had any, in arrival order. */
    public List<List<Metadata>> metadataRequests() {
        synchronized (accepted) {
            return List.copyOf(metadataRequests);
        }
    }

    /**
     * One {@code MetricMetadata} ({@code type = 1} as its enum number, {@code metric_family_name
     * = 2}, {@code help = 4}, {@code unit = 5}), read by this test's own protobuf walk rather than
     * promlite's decoder, so an encoding error is not mirrored by a matching decoding error.
     */
    public record Metadata(int type, String family, String help, String unit) {
        static List<Metadata> decodeAll(byte[] m) {
            List<Metadata> out = new ArrayList<>();
            int[] p = {0};
            while (p[0] < m.length) {
                long tag = varint(m, p);
                switch ((int) (tag & 7)) {
                    case 0 -> varint(m, p);
                    case 1 -> p[0] += 8;
                    case 5 -> p[0] += 4;
                    default -> {
                        int len = (int) varint(m, p);
                        if (tag >>> 3 == 3) {
                            out.add(one(m, p[0], p[0] + len));
                        }
                        p[0] += len;
                    }
                }
            }
            return out;
        }

        private static Metadata one(byte[] m, int from, int end) {
            int type = 0;
            String family = "";
            String help = "";
            String unit = "";
            int[] p = {from};
            while (p[0] < end) {
                long tag = varint(m, p);
                if (tag == 1 << 3) {
                    type = (int) varint(m, p);
                    continue;
                }
                int len = (int) varint(m, p);
                String s = new String(m, p[0], len, StandardCharsets.UTF_8);
                p[0] += len;
                switch ((int) (tag >>> 3)) {
                    case 2 -> family = s;
                    case 4 -> help = s;
                    case 5 -> unit = s;
                    default -> throw new IllegalStateException("unexpected MetricMetadata field " + (tag >>> 3));
                }
            }
            return new Metadata(type, family, help, unit);
        }

        private static long varint(byte[] m, int[] p) {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = m[p[0]++];
                v |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return v;
                }
            }
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
