package io.promlite.remote;

import io.promlite.config.RemoteWriteConfig;
import io.promlite.config.RemoteWriteConfig.TlsConfig;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Posts remote-write requests over HTTP/1.1 with the headers remote write 1.0 requires and the
 * queue's {@code headers}, {@code basic_auth}, {@code authorization} and {@code tls_config}.
 * Credentials files are read at every request, as Prometheus does, so a rotated token is picked
 * up without a reload. Thread-safe.
 *
 * <p>A minimal blocking client rather than the JDK's {@code HttpClient}: each sending thread
 * borrows a kept-alive connection, writes the request in one write and reads the answer itself.
 * The JDK client hands every request across its worker and selector threads, which cost more CPU
 * per request than encoding and compressing the request's samples. Redirects are not followed
 * and no proxy is used, as before. {@code remote_timeout} bounds the connect, the TLS handshake
 * and the whole wait for the answer.
 */
final class HttpSender implements AutoCloseable {
    /** The outcome of one request: an HTTP status, or {@link #NETWORK_ERROR}. */
    static final int NETWORK_ERROR = -1;
    /** Bytes of an error answer's body kept for the log line. */
    private static final int ERROR_TEXT_BYTES = 512;

    private final RemoteWriteConfig config;
    private final String host;
    private final int port;
    private final int timeoutMs;
    /** Null for plain HTTP. */
    private final SSLSocketFactory tls;
    /** The request line and every header but the per-request ones, in wire form. */
    private final byte[] fixedHead;
    /** The {@code Authorization} header line when it does not come from a file. */
    private final byte[] fixedAuthorization;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final Set<Connection> open = new HashSet<>();
    private boolean closed;

    HttpSender(RemoteWriteConfig config, String userAgent) {
        this.config = config;
        URI uri = URI.create(config.url());
        boolean https = uri.getScheme().equals("https");
        this.host = uri.getHost();
        this.port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        this.timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.remoteTimeout().toMillis()));
        this.tls = https ? sslContext(config.tlsConfig()).getSocketFactory() : null;
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        StringBuilder head = new StringBuilder()
                .append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1))
                .append("\r\n");
        header(head, "Content-Encoding", "snappy");
        header(head, "Content-Type", "application/x-protobuf");
        header(head, "User-Agent", userAgent);
        header(head, "X-Prometheus-Remote-Write-Version", "0.1.0");
        config.headers().forEach((name, value) -> header(head, name, value));
        this.fixedHead = head.toString().getBytes(StandardCharsets.UTF_8);
        try {
            this.fixedAuthorization = usesCredentialsFile() ? null : authorizationLine(authorization());
        } catch (IOException notReadWithoutAFile) {
            throw new UncheckedIOException(notReadWithoutAFile);
        }
    }

    private static void header(StringBuilder head, String name, String value) {
        // A line break would let a header value add headers or end the request's head.
        if (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header " + name + ": line breaks are not allowed");
        }
        head.append(name).append(": ").append(value).append("\r\n");
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

    /** Posts {@code body[0, length)} and fills {@code out}. */
    void send(byte[] body, int length, Outcome out) throws InterruptedException {
        out.status = NETWORK_ERROR;
        out.retryAfterMs = 0;
        out.error.setLength(0);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Connection c = null;
        try {
            byte[] authorization = fixedAuthorization != null ? fixedAuthorization : authorizationLine(authorization());
            c = borrow(deadline);
            boolean reused = c.requests > 0;
            try {
                c.exchange(fixedHead, authorization, body, length, deadline, out);
            } catch (IOException e) {
                // A kept-alive connection the receiver closed while idle fails before any answer:
                // that is no answer from the receiver, so the request goes once more on a new one.
                if (!reused || c.answered) {
                    throw e;
                }
                discard(c);
                c = borrow(deadline);
                c.exchange(fixedHead, authorization, body, length, deadline, out);
            }
            giveBack(c);
        } catch (IOException e) {
            if (c != null) {
                discard(c);
            }
            out.status = NETWORK_ERROR;
            out.error.setLength(0);
            out.error.append(e.getClass().getSimpleName()).append(e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
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
    }

    private Connection borrow(long deadline) throws IOException {
        synchronized (this) {
            if (closed) {
                throw new IOException("the queue stopped");
            }
            Connection c = idle.pollLast();
            if (c != null) {
                return c;
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

    private Connection connect(long deadline) throws IOException {
        Socket socket = new Socket(Proxy.NO_PROXY);
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), remainingMs(deadline));
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.createSocket(socket, host, port, true);
                SSLParameters parameters = ssl.getSSLParameters();
                if (!config.tlsConfig().insecureSkipVerify()) {
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                }
                if (!config.tlsConfig().serverName().isEmpty()) {
                    parameters.setServerNames(List.of(new SNIHostName(config.tlsConfig().serverName())));
                }
                ssl.setSSLParameters(parameters);
                ssl.setSoTimeout(remainingMs(deadline));
                ssl.startHandshake();
                socket = ssl;
            }
            return new Connection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static int remainingMs(long deadline) throws SocketTimeoutException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("remote_timeout reached");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    /** One kept-alive HTTP/1.1 connection, used by one thread at a time. */
    private static final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        /** The request's head and body, written at once. */
        private byte[] request = new byte[64 * 1024];
        private final StringBuilder line = new StringBuilder();
        private final byte[] errorText = new byte[ERROR_TEXT_BYTES];
        int requests;
        /** Whether any byte of the current request's answer arrived. */
        boolean answered;
        boolean keepAlive;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 8192);
            this.out = socket.getOutputStream();
        }

        void exchange(byte[] head, byte[] authorization, byte[] body, int length, long deadline, Outcome outcome)
                throws IOException {
            requests++;
            answered = false;
            keepAlive = false;
            int n = head.length + (authorization == null ? 0 : authorization.length) + 40 + length;
            if (request.length < n) {
                request = new byte[Math.max(n, request.length * 2)];
            }
            System.arraycopy(head, 0, request, 0, head.length);
            int p = head.length;
            if (authorization != null) {
                System.arraycopy(authorization, 0, request, p, authorization.length);
                p += authorization.length;
            }
            p = ascii(request, p, "Content-Length: ");
            p = ascii(request, p, Integer.toString(length));
            p = ascii(request, p, "\r\n\r\n");
            System.arraycopy(body, 0, request, p, length);
            socket.setSoTimeout(remainingMs(deadline));
            out.write(request, 0, p + length);
            out.flush();
            readResponse(deadline, outcome);
        }

        private void readResponse(long deadline, Outcome outcome) throws IOException {
            int status;
            boolean http10;
            long contentLength;
            boolean chunked;
            boolean close;
            do {
                socket.setSoTimeout(remainingMs(deadline));
                String statusLine = readLine();
                answered = true;
                if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
                    throw new IOException("malformed HTTP response \"" + statusLine + "\"");
                }
                http10 = statusLine.charAt(7) == '0';
                try {
                    status = Integer.parseInt(statusLine.substring(9, 12));
                } catch (NumberFormatException e) {
                    throw new IOException("malformed HTTP response \"" + statusLine + "\"");
                }
                contentLength = -1;
                chunked = false;
                close = http10;
                outcome.retryAfterMs = 0;
                for (String h = readLine(); !h.isEmpty(); h = readLine()) {
                    int colon = h.indexOf(':');
                    if (colon <= 0) {
                        continue;
                    }
                    String name = h.substring(0, colon).trim();
                    String value = h.substring(colon + 1).trim();
                    if (name.equalsIgnoreCase("Content-Length")) {
                        try {
                            contentLength = Long.parseLong(value);
                        } catch (NumberFormatException e) {
                            throw new IOException("malformed Content-Length \"" + value + "\"");
                        }
                    } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                        chunked = value.toLowerCase(java.util.Locale.ROOT).endsWith("chunked");
                    } else if (name.equalsIgnoreCase("Connection")) {
                        close = value.equalsIgnoreCase("close") || http10 && !value.equalsIgnoreCase("keep-alive");
                    } else if (name.equalsIgnoreCase("Retry-After")) {
                        outcome.retryAfterMs = retryAfterMs(value);
                    }
                }
            } while (status / 100 == 1);
            boolean error = status / 100 != 2;
            int kept;
            if (status == 204 || status == 304) {
                kept = 0;
            } else if (chunked) {
                kept = readChunked(error);
            } else if (contentLength >= 0) {
                kept = readBody(contentLength, error, 0);
            } else {
                kept = readBody(Long.MAX_VALUE, error, 0);
                close = true;
            }
            if (error) {
                // Prometheus logs the first line of an error body.
                String text = new String(errorText, 0, kept, StandardCharsets.UTF_8);
                int newline = text.indexOf('\n');
                outcome.error.append(newline < 0 ? text : text.substring(0, newline));
            }
            outcome.status = status;
            keepAlive = !close;
        }

        /**
         * Reads {@code n} body bytes ({@link Long#MAX_VALUE}: until the end of the stream); when
         * {@code keep}, copies them to {@link #errorText} from {@code kept} on while it has room.
         * Returns how much of it is filled.
         */
        private int readBody(long n, boolean keep, int kept) throws IOException {
            boolean toEnd = n == Long.MAX_VALUE;
            while (n > 0) {
                int r = in.read(request, 0, (int) Math.min(n, request.length));
                if (r < 0) {
                    if (toEnd) {
                        break;
                    }
                    throw new EOFException("answer ended early");
                }
                if (keep && kept < errorText.length) {
                    int k = Math.min(r, errorText.length - kept);
                    System.arraycopy(request, 0, errorText, kept, k);
                    kept += k;
                }
                if (!toEnd) {
                    n -= r;
                }
            }
            return kept;
        }

        private int readChunked(boolean keep) throws IOException {
            int kept = 0;
            while (true) {
                String size = readLine();
                int semicolon = size.indexOf(';');
                long n;
                try {
                    n = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("malformed chunk size \"" + size + "\"");
                }
                if (n == 0) {
                    while (!readLine().isEmpty()) {
                        // Trailers: nothing of interest.
                    }
                    return kept;
                }
                kept = readBody(n, keep, kept);
                readLine();
            }
        }

        /** A header line without its CRLF; lines are ASCII in practice, other bytes come out as Latin-1. */
        private String readLine() throws IOException {
            line.setLength(0);
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("connection closed by the receiver");
                }
                if (b == '\n') {
                    int end = line.length();
                    if (end > 0 && line.charAt(end - 1) == '\r') {
                        line.setLength(end - 1);
                    }
                    return line.toString();
                }
                if (line.length() > 16 * 1024) {
                    throw new IOException("HTTP answer line too long");
                }
                line.append((char) b);
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing anyway.
            }
        }
    }

    private static int ascii(byte[] b, int p, String s) {
        for (int i = 0; i < s.length(); i++) {
            b[p++] = (byte) s.charAt(i);
        }
        return p;
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

    private static byte[] authorizationLine(String authorization) throws IOException {
        if (authorization == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        try {
            header(b, "Authorization", authorization);
        } catch (IllegalArgumentException e) {
            throw new IOException("credentials: " + e.getMessage());
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
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

    private static SSLContext sslContext(TlsConfig tls) {
        try {
            TrustManager[] trust = null;
            if (tls.insecureSkipVerify()) {
                trust = new TrustManager[] {new TrustAll()};
            } else if (!tls.caFile().isEmpty()) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                try (InputStream in = Files.newInputStream(Path.of(tls.caFile()))) {
                    int i = 0;
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        store.setCertificateEntry("ca" + i++, c);
                    }
                }
                TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                f.init(store);
                trust = f.getTrustManagers();
            }
            KeyManager[] keys = tls.certFile().isEmpty() ? null : clientKeys(tls);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("tls_config: " + e.getMessage(), e);
        }
    }

    /** The client certificate chain and its PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}), RSA or EC. */
    private static KeyManager[] clientKeys(TlsConfig tls) throws IOException, GeneralSecurityException {
        Certificate[] chain;
        try (InputStream in = Files.newInputStream(Path.of(tls.certFile()))) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(new Certificate[0]);
        }
        String pem = Files.readString(Path.of(tls.keyFile()), StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException(tls.keyFile() + " is not an unencrypted PKCS#8 PEM key "
                    + "(BEGIN PRIVATE KEY); convert it with: openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        PrivateKey key;
        try {
            key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (InvalidKeySpecException notRsa) {
            key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setKeyEntry("client", key, new char[0], chain);
        KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        f.init(store, new char[0]);
        return f.getKeyManagers();
    }

    /** {@code insecure_skip_verify}: accepts any certificate and any host name. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
