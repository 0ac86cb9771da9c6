package io.promlite.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.promlite.tsdb.model.Labels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Collections;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scrape client against a raw socket target that answers each request with scripted bytes,
 * sent in the pieces given (so headers and chunks straddle reads), covering HTTP/1.x framing.
 */
class HttpScraperTest {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final BodyBuffers bodies = new BodyBuffers(4, 1 << 20);
    private final HttpScraper http = new HttpScraper(group, "promlite/test", bodies);

    @AfterEach
    void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Answers every request on a connection with the next response's pieces; closes after each when asked. */
    private static final class RawTarget implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();
        /** Every request's bytes, in the order received. */
        final List<String> received = Collections.synchronizedList(new ArrayList<>());

        RawTarget(boolean closeAfterResponse, List<List<byte[]>> responses) throws IOException {
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = server.accept();
                        connections.incrementAndGet();
                        try (s) {
                            InputStream in = s.getInputStream();
                            OutputStream out = s.getOutputStream();
                            for (String request; (request = readRequest(in)) != null; ) {
                                received.add(request);
                                List<byte[]> pieces = responses.get(Math.min(requests.getAndIncrement(), responses.size() - 1));
                                for (byte[] piece : pieces) {
                                    out.write(piece);
                                    out.flush();
                                    Thread.sleep(2);
                                }
                                if (closeAfterResponse) {
                                    break;
                                }
                            }
                        } catch (IOException | InterruptedException e) {
                            // the client went away
                        }
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            t.setDaemon(true);
            t.start();
        }

        /** The next request's bytes up to the end of its headers, or null at the end of the stream. */
        private static String readRequest(InputStream in) throws IOException {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            int matched = 0;
            for (int b = in.read(); b >= 0; b = in.read()) {
                request.write(b);
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
                if (matched == 4) {
                    return request.toString(StandardCharsets.ISO_8859_1);
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code text} cut into pieces of {@code size} bytes. */
    private static List<byte[]> pieces(byte[] bytes, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += size) {
            out.add(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + size)));
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private HttpScraper.Request request(RawTarget target, long bodyLimit) {
        int port = target.server.getLocalPort();
        ScrapeTarget t = new ScrapeTarget(Labels.of(), Labels.of(), "http", "127.0.0.1:" + port, "127.0.0.1", port,
                "/metrics", Duration.ofSeconds(1), Duration.ofSeconds(2));
        return http.request(t, bodyLimit, true, null, null, null);
    }

    /** The body of one scrape, with its content type before a tab. */
    private static String scrape(HttpScraper http, HttpScraper.Request request, HttpScraper.Connection connection)
            throws Exception {
        ScrapeResponse r = http.fetch(request, InetAddress.getLoopbackAddress(), connection).get(5, TimeUnit.SECONDS);
        try {
            return r.contentType() + "\t" + r.body().toString(StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }

    private static String failure(HttpScraper http, HttpScraper.Request request, HttpScraper.Connection connection) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> http.fetch(request, InetAddress.getLoopbackAddress(), connection).get(5, TimeUnit.SECONDS).release());
        return e.getCause().getMessage();
    }

    @Test
    void everyScrapeSendsTheSameRequestBytesAlsoOnANewConnection() throws Exception {
        byte[] keep = ascii("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nm 1\n");
        byte[] close = ascii("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\nm 1\n");
        try (RawTarget target = new RawTarget(false, List.of(List.of(keep), List.of(keep), List.of(close), List.of(keep)))) {
            int port = target.server.getLocalPort();
            ScrapeTarget t = new ScrapeTarget(Labels.of(), Labels.of(), "http", "127.0.0.1:" + port, "127.0.0.1", port,
                    "/metrics?a=b", Duration.ofSeconds(1), Duration.ofMillis(2500));
            HttpScraper.Request request = http.request(t, 0, false, "Bearer secret", null, null);
            HttpScraper.Connection connection = new HttpScraper.Connection();
            for (int i = 0; i < 4; i++) {
                assertEquals("null\tm 1\n", scrape(http, request, connection));
            }
            assertEquals(2, target.connections.get());
            String expected = "GET /metrics?a=b HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\n"
                    + "Accept: " + HttpScraper.ACCEPT + "\r\n"
                    + "Accept-Encoding: identity\r\n"
                    + "User-Agent: promlite/test\r\n"
                    + "X-Prometheus-Scrape-Timeout-Seconds: 2.5\r\n"
                    + "Authorization: Bearer secret\r\n"
                    + "\r\n";
            assertEquals(Collections.nCopies(4, expected), target.received);
        }
    }

    @Test
    void readsChunkedBodiesWhoseHeadersAndChunksStraddleReadsOverOneConnection() throws Exception {
        byte[] response = ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-TYPE: text/plain; version=0.0.4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\na 1\nb\r\n3\r\n 2\n\r\n0\r\nTrailer: x\r\n\r\n");
        try (RawTarget target = new RawTarget(false, List.of(pieces(response, 7)))) {
            HttpScraper.Request request = request(target, 0);
            HttpScraper.Connection connection = new HttpScraper.Connection();
            for (int i = 0; i < 3; i++) {
                assertEquals("text/plain; version=0.0.4\ta 1\nb 2\n", scrape(http, request, connection));
            }
            assertEquals(1, target.connections.get());
        }
    }

    @Test
    void readsBodiesWithoutLengthUpToTheCloseAndReconnects() throws Exception {
        byte[] response = ascii("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nm 1\n");
        try (RawTarget target = new RawTarget(true, List.of(List.of(response)))) {
            HttpScraper.Request request = request(target, 0);
            HttpScraper.Connection connection = new HttpScraper.Connection();
            assertEquals("text/plain\tm 1\n", scrape(http, request, connection));
            assertEquals("text/plain\tm 1\n", scrape(http, request, connection));
            assertEquals(2, target.connections.get());
        }
    }

    @Test
    void failsBodiesThatReachTheLimitAsPrometheusDoes() throws Exception {
        byte[] fits = ascii("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n123456789");
        byte[] reaches = ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n1234567890");
        byte[] chunked = ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n");
        try (RawTarget target = new RawTarget(false, List.of(List.of(fits), List.of(reaches), List.of(chunked)))) {
            HttpScraper.Request request = request(target, 10);
            HttpScraper.Connection connection = new HttpScraper.Connection();
            assertEquals("null\t123456789", scrape(http, request, connection));
            assertEquals(HttpScraper.BODY_SIZE_LIMIT_EXCEEDED, failure(http, request, connection));
            assertEquals(HttpScraper.BODY_SIZE_LIMIT_EXCEEDED, failure(http, request, connection));
        }
    }

    @Test
    void inflatesGzipBodiesOfOneOrMoreMembersAndRejectsBrokenOnes() throws Exception {
        byte[] twoMembers = concat(gzip("a 1\n"), gzip("b 2\n"));
        byte[] corrupt = gzip("c 3\n");
        corrupt[corrupt.length - 5] ^= 1; // the CRC
        String big = "x 1\n".repeat(100);
        byte[][] bodies = {twoMembers, corrupt, gzip(big)};
        List<List<byte[]>> responses = new ArrayList<>();
        for (byte[] body : bodies) {
            byte[] head = ascii("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + body.length + "\r\n\r\n");
            responses.add(pieces(concat(head, body), 11));
        }
        try (RawTarget target = new RawTarget(false, responses)) {
            HttpScraper.Request request = request(target, 400);
            HttpScraper.Connection connection = new HttpScraper.Connection();
            assertEquals("null\ta 1\nb 2\n", scrape(http, request, connection));
            assertEquals("gzip: invalid checksum", failure(http, request, connection));
            assertEquals(HttpScraper.BODY_SIZE_LIMIT_EXCEEDED, failure(http, request, connection));
            assertEquals(1, target.connections.get());
        }
    }

    @Test
    void reportsOtherStatusesAfterDrainingTheirBodiesAndKeepsTheConnection() throws Exception {
        byte[] error = ascii("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy!");
        // Any status but 200 fails the scrape, other 2xx ones too.
        byte[] partial = ascii("HTTP/1.1 206 Partial Content\r\nContent-Length: 4\r\n\r\nm 1\n");
        byte[] noContent = ascii("HTTP/1.1 204 No Content\r\n\r\n");
        byte[] ok = ascii("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nm 1\n");
        try (RawTarget target = new RawTarget(false, List.of(List.of(error), List.of(partial), List.of(noContent), List.of(ok)))) {
            HttpScraper.Request request = request(target, 0);
            HttpScraper.Connection connection = new HttpScraper.Connection();
            assertEquals("server returned HTTP status 503 Service Unavailable", failure(http, request, connection));
            assertEquals("server returned HTTP status 206 Partial Content", failure(http, request, connection));
            assertEquals("server returned HTTP status 204 No Content", failure(http, request, connection));
            assertEquals("null\tm 1\n", scrape(http, request, connection));
            assertEquals(1, target.connections.get());
        }
    }

    @Test
    void failsMalformedResponses() throws Exception {
        byte[] garbage = ascii("SSH-2.0-OpenSSH_9.6\r\n\r\n");
        byte[] badChunk = ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        try (RawTarget target = new RawTarget(false, List.of(List.of(garbage), List.of(badChunk)))) {
            HttpScraper.Request request = request(target, 0);
            HttpScraper.Connection connection = new HttpScraper.Connection();
            String url = "Get \"http://127.0.0.1:" + target.server.getLocalPort() + "/metrics\": ";
            // The problem's wording after the prefix is Netty's decoder's.
            assertTrue(failure(http, request, connection).startsWith(url + "malformed HTTP response: "));
            assertTrue(failure(http, request, connection).startsWith(url + "malformed HTTP response: "));
            assertEquals(2, target.connections.get());
        }
    }

    @Test
    void successiveScrapesOfATargetReuseOneBodyArray() throws Exception {
        String text = "m{i=\"1\"} 1\n".repeat(5000);
        byte[] plain = concat(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
                ascii(Integer.toHexString(text.length()) + "\r\n" + text + "\r\n0\r\n\r\n"));
        byte[] zipped = gzip(text);
        byte[] gzip = concat(ascii("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + zipped.length + "\r\n\r\n"),
                zipped);
        for (byte[] response : List.of(plain, gzip)) {
            try (RawTarget target = new RawTarget(false, List.of(pieces(response, 4000)))) {
                HttpScraper.Request request = request(target, 0);
                HttpScraper.Connection connection = new HttpScraper.Connection();
                byte[] first = null;
                for (int i = 0; i < 4; i++) {
                    ScrapeResponse r = http.fetch(request, InetAddress.getLoopbackAddress(), connection).get(5, TimeUnit.SECONDS);
                    assertEquals(text, r.body().toString(StandardCharsets.UTF_8));
                    if (i == 1) {
                        first = r.body().array();
                    } else if (i > 1) {
                        assertSame(first, r.body().array(), "once the target's body size is known, no scrape allocates one");
                    }
                    r.release();
                }
            }
        }
    }

    @Test
    void anEmptyBodyLeavesTheExpectedBodySizeAlone() throws Exception {
        String text = "m 1\n".repeat(1000);
        byte[] zipped = gzip(text);
        byte[] emptyZipped = gzip("");
        byte[] full = concat(ascii("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + zipped.length + "\r\n\r\n"),
                zipped);
        byte[] empty = concat(ascii("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + emptyZipped.length
                + "\r\n\r\n"), emptyZipped);
        try (RawTarget target = new RawTarget(false, List.of(List.of(full), List.of(empty)))) {
            HttpScraper.Request request = request(target, 0);
            HttpScraper.Connection connection = new HttpScraper.Connection();
            assertEquals("null\t" + text, scrape(http, request, connection));
            assertEquals("null\t", scrape(http, request, connection));
            assertEquals(text.length(), connection.bodyLength);
            assertEquals(zipped.length, connection.zippedLength);
        }
    }

    @Test
    void concurrentScrapesOfLargeSmallAndGzipTargetsGetTheirOwnBodiesAndTheIdleArraysStayBounded() throws Exception {
        List<RawTarget> targets = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        try {
            for (int t = 0; t < 6; t++) {
                String text = ("t" + t + "{i=\"x\"} " + t + "\n").repeat(t % 3 == 0 ? 20_000 : 50);
                byte[] body = t == 2 ? gzip(text) : text.getBytes(StandardCharsets.UTF_8);
                String head = t == 2 ? "Content-Encoding: gzip\r\nContent-Length: " + body.length
                        : t == 3 ? "Transfer-Encoding: chunked" : "Content-Length: " + body.length;
                byte[] payload = t == 3 ? concat(ascii(Integer.toHexString(body.length) + "\r\n"), body, ascii("\r\n0\r\n\r\n")) : body;
                targets.add(new RawTarget(false, List.of(pieces(concat(ascii("HTTP/1.1 200 OK\r\n" + head + "\r\n\r\n"), payload), 30_000))));
                texts.add(text);
            }
            List<HttpScraper.Request> requests = new ArrayList<>();
            List<HttpScraper.Connection> connections = new ArrayList<>();
            for (RawTarget target : targets) {
                requests.add(request(target, 0));
                connections.add(new HttpScraper.Connection());
            }
            for (int round = 0; round < 5; round++) {
                List<CompletableFuture<ScrapeResponse>> fetched = new ArrayList<>();
                for (int t = 0; t < targets.size(); t++) {
                    fetched.add(http.fetch(requests.get(t), InetAddress.getLoopbackAddress(), connections.get(t)));
                }
                Set<byte[]> held = Collections.newSetFromMap(new IdentityHashMap<>());
                List<ScrapeResponse> responses = new ArrayList<>();
                for (CompletableFuture<ScrapeResponse> f : fetched) {
                    responses.add(f.get(5, TimeUnit.SECONDS));
                }
                for (int t = 0; t < responses.size(); t++) {
                    ScrapeResponse r = responses.get(t);
                    assertEquals(texts.get(t), r.body().toString(StandardCharsets.UTF_8));
                    assertTrue(held.add(r.body().array()), "two bodies in one array");
                }
                for (int t = responses.size() - 1; t >= 0; t--) {
                    responses.get(t).release();
                }
                assertTrue(bodies.idleCount() <= 4 && bodies.idleBytes() <= 1 << 20,
                        bodies.idleCount() + " idle arrays of " + bodies.idleBytes() + " bytes");
            }
        } finally {
            for (RawTarget target : targets) {
                target.close();
            }
        }
    }

    @Test
    void failedScrapesGiveTheirArraysBack() throws Exception {
        byte[] corrupt = gzip("c 3\n");
        corrupt[corrupt.length - 5] ^= 1;
        byte[] corruptResponse = concat(ascii("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + corrupt.length + "\r\n\r\n"),
                corrupt);
        byte[] overLimit = ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n");
        byte[] cutOff = ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nm 1\n");
        byte[][] responses = {corruptResponse, overLimit, cutOff};
        // A gzip scrape holds two arrays, the stream's and the inflated body's.
        int[] arrays = {2, 1, 1};
        for (int i = 0; i < responses.length; i++) {
            try (RawTarget target = new RawTarget(true, List.of(List.of(responses[i])))) {
                // The cut-off body is within the default limit: it fails when the target closes.
                failure(http, request(target, responses[i] == cutOff ? 0 : 10), new HttpScraper.Connection());
            }
            assertEquals(arrays[i], bodies.idleCount(), "the arrays of failed scrape " + i + " are idle again");
            while (bodies.idleCount() > 0) {
                bodies.take(0, 1 << 20);
            }
        }
    }

    @Test
    void aScrapeThatTimesOutMidBodyGivesItsArrayBack() throws Exception {
        // The target sends part of the body and then nothing, keeping the connection open.
        byte[] stalled = ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nm 1\n");
        try (RawTarget target = new RawTarget(false, List.of(List.of(stalled)))) {
            int port = target.server.getLocalPort();
            ScrapeTarget t = new ScrapeTarget(Labels.of(), Labels.of(), "http", "127.0.0.1:" + port, "127.0.0.1", port,
                    "/metrics", Duration.ofSeconds(1), Duration.ofMillis(200));
            String message = failure(http, http.request(t, 0, true, null, null, null), new HttpScraper.Connection());
            assertTrue(message.endsWith("context deadline exceeded"), message);
            // The deadline closes the connection; its event loop then gives the array back.
            for (int wait = 0; wait < 200 && bodies.idleCount() == 0; wait++) {
                Thread.sleep(10);
            }
            assertEquals(1, bodies.idleCount(), "the timed-out scrape's array is idle again");
        }
    }
}
