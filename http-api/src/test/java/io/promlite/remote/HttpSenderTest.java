package io.promlite.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.config.ConfigLoader;
import io.promlite.config.RemoteWriteConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sender's HTTP/1.1 against a raw socket server that answers with the bytes each test
 * scripts: framing of answers (length, chunked, until close), connection reuse, and a kept-alive
 * connection the receiver closed while idle.
 */
class HttpSenderTest {
    private ServerSocket server;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final List<String> requests = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    /** Scripted answers starting with this are followed by closing the connection. */
    private static final String THEN_CLOSE = "CLOSE|";
    /** Scripted answers starting with this are written one byte every 300 ms. */
    private static final String TRICKLE = "TRICKLE|";
    private Thread acceptor;

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    connections.incrementAndGet();
                    serve(s);
                } catch (IOException | InterruptedException e) {
                    // Next connection, or the test ended.
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        acceptor.join(5_000);
    }

    private void serve(Socket s) throws IOException, InterruptedException {
        InputStream in = s.getInputStream();
        while (true) {
            String head = readHead(in);
            if (head == null) {
                return;
            }
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            byte[] body = in.readNBytes(length);
            synchronized (requests) {
                requests.add(head + new String(body, StandardCharsets.ISO_8859_1));
            }
            String answer = answers.take();
            if (answer.startsWith(TRICKLE)) {
                for (byte b : answer.substring(TRICKLE.length()).getBytes(StandardCharsets.ISO_8859_1)) {
                    s.getOutputStream().write(b);
                    s.getOutputStream().flush();
                    Thread.sleep(300);
                }
                continue;
            }
            boolean close = answer.startsWith(THEN_CLOSE);
            s.getOutputStream().write(answer.substring(close ? THEN_CLOSE.length() : 0)
                    .getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            if (close) {
                return;
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            String s = b.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n")) {
                return s;
            }
        }
        return null;
    }

    private HttpSender sender(String extras) throws Exception {
        RemoteWriteConfig config = ConfigLoader.parse("""
                remote_write:
                  - url: http://127.0.0.1:%d/api/v1/write?tenant=a
                    remote_timeout: 2s
                    headers: { X-Scope-OrgID: team-a }
                %s""".formatted(server.getLocalPort(), extras), "rw.yml").remoteWriteConfigs().get(0);
        return new HttpSender(config, "promlite/test");
    }

    private static HttpSender.Outcome send(HttpSender sender, String body) throws InterruptedException {
        HttpSender.Outcome out = new HttpSender.Outcome();
        byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
        sender.send(bytes, bytes.length, out);
        return out;
    }

    @Test
    void sendsTheRemoteWriteHeadersAndReusesTheConnection() throws Exception {
        HttpSender sender = sender("    basic_auth: { username: u, password: p }");
        answers.add("HTTP/1.1 204 No Content\r\n\r\n");
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertEquals(204, send(sender, "first").status);
        assertEquals(200, send(sender, "second").status);
        assertEquals(1, connections.get());
        String first = requests.get(0);
        assertTrue(first.startsWith("POST /api/v1/write?tenant=a HTTP/1.1\r\n"), first);
        for (String header : List.of("Host: 127.0.0.1:" + server.getLocalPort(), "Content-Encoding: snappy",
                "Content-Type: application/x-protobuf", "User-Agent: promlite/test",
                "X-Prometheus-Remote-Write-Version: 0.1.0", "X-Scope-OrgID: team-a", "Authorization: Basic dTpw",
                "Content-Length: 5")) {
            assertTrue(first.contains("\r\n" + header + "\r\n"), header + " in " + first);
        }
        assertTrue(first.endsWith("\r\n\r\nfirst"), first);
        assertTrue(requests.get(1).endsWith("\r\n\r\nsecond"));
        sender.close();
    }

    @Test
    void readsTheFirstLineOfChunkedAndUnframedErrorBodiesAndRetryAfter() throws Exception {
        HttpSender sender = sender("");
        answers.add("HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "6\r\nout of\r\n8\r\n order\nx\r\n0\r\n\r\n");
        answers.add("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Length: 4\r\n\r\nslow");
        answers.add(THEN_CLOSE + "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\ndown\n");
        HttpSender.Outcome out = send(sender, "a");
        assertEquals(400, out.status);
        assertEquals("out of order", out.error.toString());
        out = send(sender, "b");
        assertEquals(429, out.status);
        assertEquals(3000, out.retryAfterMs);
        assertEquals("slow", out.error.toString());
        assertEquals(1, connections.get());
        out = send(sender, "c");
        assertEquals(503, out.status);
        assertEquals("down", out.error.toString());
        answers.add("HTTP/1.1 204 No Content\r\n\r\n");
        assertEquals(204, send(sender, "d").status);
        // The answer without a length ended with its connection: the next request needed a new one.
        assertEquals(2, connections.get());
        sender.close();
    }

    @Test
    void resendsOnceOnANewConnectionWhenAnIdleOneWasClosed() throws Exception {
        HttpSender sender = sender("");
        answers.add(THEN_CLOSE + "HTTP/1.1 204 No Content\r\n\r\n");
        answers.add("HTTP/1.1 204 No Content\r\n\r\n");
        assertEquals(204, send(sender, "a").status);
        // The server closed the kept-alive connection after its answer.
        assertEquals(204, send(sender, "b").status);
        assertEquals(2, connections.get());
        assertEquals(2, requests.size());
        sender.close();
    }

    @Test
    void aClosedSenderFailsRequestsWithoutConnecting() throws Exception {
        HttpSender sender = sender("");
        sender.close();
        HttpSender.Outcome out = send(sender, "a");
        assertEquals(HttpSender.NETWORK_ERROR, out.status);
        assertEquals(0, connections.get());
    }

    @Test
    void aReceiverThatDoesNotAnswerTimesOut() throws Exception {
        HttpSender sender = sender("");
        long start = System.nanoTime();
        HttpSender.Outcome out = send(sender, "a");
        assertEquals(HttpSender.NETWORK_ERROR, out.status);
        assertTrue(out.error.toString().contains("Timeout"), out.error.toString());
        assertTrue(System.nanoTime() - start < 10_000_000_000L);
        answers.add("HTTP/1.1 204 No Content\r\n\r\n");
    }

    @Test
    void remoteTimeoutBoundsTheWholeRequestNotEachRead() throws Exception {
        HttpSender sender = sender("");
        // Each byte comes well within remote_timeout (2s); the whole answer takes about 8s.
        answers.add(TRICKLE + "HTTP/1.1 204 No Content\r\n\r\n");
        long start = System.nanoTime();
        HttpSender.Outcome out = send(sender, "a");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(HttpSender.NETWORK_ERROR, out.status);
        assertTrue(out.error.toString().contains("Timeout"), out.error.toString());
        assertTrue(tookMs < 5_000, "took " + tookMs + " ms");
        sender.close();
    }
}
