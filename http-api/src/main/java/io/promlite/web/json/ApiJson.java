package io.promlite.web.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.promlite.tsdb.model.Labels;
import io.promlite.web.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the Prometheus HTTP API envelope: {@code {"status":"success","data":…}} or
 * {@code {"status":"error","errorType":…,"error":…}}, with Prometheus's spellings of
 * timestamps (seconds with millisecond fraction) and sample values (strings).
 */
public final class ApiJson {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final String CONTENT_TYPE = "application/json";

    /** Writes the {@code data} member's value. */
    @FunctionalInterface
    public interface DataWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private ApiJson() {
    }

    public static HttpResponse success(DataWriter data) {
        return success(data, List.of(), List.of());
    }

    /**
     * A success envelope; warnings and infos are omitted when empty, as Prometheus does. The
     * JSON is written as it is sent, so a large result is streamed rather than built whole.
     */
    public static HttpResponse success(DataWriter data, List<String> warnings, List<String> infos) {
        return HttpResponse.streamed(HttpResponseStatus.OK, CONTENT_TYPE, out -> {
            try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeStringField("status", "success");
                g.writeFieldName("data");
                data.write(g);
                writeStrings(g, "warnings", warnings);
                writeStrings(g, "infos", infos);
                g.writeEndObject();
            }
        });
    }

    public static HttpResponse error(HttpResponseStatus status, String errorType, String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("status", "error");
            g.writeStringField("errorType", errorType);
            g.writeStringField("error", message);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new HttpResponse(status, CONTENT_TYPE, out.toByteArray());
    }

    private static void writeStrings(JsonGenerator g, String field, List<String> values) throws IOException {
        if (!values.isEmpty()) {
            g.writeArrayFieldStart(field);
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
        }
    }

    /** Seconds with up to three fraction digits, written as Prometheus's {@code MarshalTimestamp} does. */
    public static void writeTimestamp(JsonGenerator g, long ms) throws IOException {
        char[] buf = new char[TIMESTAMP_CHARS];
        g.writeNumber(buf, 0, formatTimestamp(ms, buf));
    }

    /** The most characters {@link #formatTimestamp} writes: a sign, 19 digits, a point. */
    private static final int TIMESTAMP_CHARS = 21;

    /** Writes the timestamp's spelling into {@code buf} from index 0; returns its length. */
    static int formatTimestamp(long ms, char[] buf) {
        int n = 0;
        if (ms < 0) {
            buf[n++] = '-';
        }
        // The magnitudes of the quotient and remainder: -ms overflows for Long.MIN_VALUE, these never do.
        n = writeDigits(Math.abs(ms / 1000), buf, n);
        int fraction = (int) Math.abs(ms % 1000);
        if (fraction != 0) {
            buf[n++] = '.';
            buf[n++] = (char) ('0' + fraction / 100);
            buf[n++] = (char) ('0' + fraction / 10 % 10);
            buf[n++] = (char) ('0' + fraction % 10);
        }
        return n;
    }

    /** Writes the decimal digits of {@code n} (not negative) into {@code buf} from {@code at}; returns the end. */
    private static int writeDigits(long n, char[] buf, int at) {
        int end = at;
        do {
            buf[end++] = (char) ('0' + n % 10);
            n /= 10;
        } while (n != 0);
        for (int i = at, j = end - 1; i < j; i++, j--) {
            char c = buf[i];
            buf[i] = buf[j];
            buf[j] = c;
        }
        return end;
    }

    /** A {@code [timestamp, "value"]} pair. */
    public static void writePoint(JsonGenerator g, long ms, double value) throws IOException {
        g.writeStartArray();
        writeTimestamp(g, ms);
        g.writeString(GoFloat.api(value));
        g.writeEndArray();
    }

    /**
     * Writes the {@code [timestamp, "value"]} pairs of one response, each as a single raw value
     * spelled in bytes into a reused buffer: the spellings are plain ASCII with nothing to escape,
     * so the generator's per-token bookkeeping, escaping scans and character encoding are skipped,
     * and points allocate nothing. A matrix repeats the same step timestamps in every series, so
     * their spellings are kept (direct-mapped by time); a value equal to the previous one (a gauge
     * that did not move) reuses its spelling.
     */
    public static final class PointWriter {
        /** 512 slots: more than the steps of a usual range query (Prometheus caps them at 11,000). */
        private static final int SLOT_BITS = 9;
        private static final int TIMESTAMP_SLOTS = 1 << SLOT_BITS;
        /** {@code [}, a timestamp, {@code ,"}, a value, {@code "]}. */
        private static final int POINT_CHARS = 1 + TIMESTAMP_CHARS + 2 + GoFloat.MAX_API_CHARS + 2;

        private final long[] slotMs = new long[TIMESTAMP_SLOTS];
        private final byte[][] slotSpelling = new byte[TIMESTAMP_SLOTS][];
        private final char[] timestamp = new char[TIMESTAMP_CHARS];
        private final RawAscii point = new RawAscii(POINT_CHARS);
        private final ShortestDigits shortest = new ShortestDigits();
        /** The previous value's spelling, for a series whose value did not change. */
        private final byte[] last = new byte[GoFloat.MAX_API_CHARS];
        private int lastLength = -1;
        private long lastBits;

        public void write(JsonGenerator g, long ms, double value) throws IOException {
            byte[] ts = timestamp(ms);
            byte[] p = point.bytes;
            p[0] = '[';
            System.arraycopy(ts, 0, p, 1, ts.length);
            int n = 1 + ts.length;
            p[n++] = ',';
            p[n++] = '"';
            long bits = Double.doubleToRawLongBits(value);
            if (lastLength < 0 || bits != lastBits) {
                lastLength = GoFloat.api(value, shortest, last, 0);
                lastBits = bits;
            }
            System.arraycopy(last, 0, p, n, lastLength);
            n += lastLength;
            p[n++] = '"';
            p[n++] = ']';
            point.length = n;
            g.writeRawValue(point);
        }

        private byte[] timestamp(long ms) {
            // Fibonacci hashing spreads the evenly spaced step times over the slots.
            int slot = (int) ((ms * 0x9E3779B97F4A7C15L) >>> (64 - SLOT_BITS));
            byte[] spelling = slotSpelling[slot];
            if (spelling == null || slotMs[slot] != ms) {
                int n = formatTimestamp(ms, timestamp);
                spelling = new byte[n];
                for (int i = 0; i < n; i++) {
                    spelling[i] = (byte) timestamp[i];
                }
                slotSpelling[slot] = spelling;
                slotMs[slot] = ms;
            }
            return spelling;
        }
    }

    /**
     * A reusable raw JSON value in ASCII bytes, which a byte generator copies straight into its
     * buffer ({@link #appendUnquotedUTF8}). Raw values are written unquoted only, so the quoting
     * methods are not supported.
     */
    private static final class RawAscii implements SerializableString {
        final byte[] bytes;
        int length;

        RawAscii(int capacity) {
            bytes = new byte[capacity];
        }

        @Override
        public String getValue() {
            return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        }

        @Override
        public int charLength() {
            return length;
        }

        @Override
        public byte[] asUnquotedUTF8() {
            return Arrays.copyOf(bytes, length);
        }

        @Override
        public int appendUnquotedUTF8(byte[] buffer, int offset) {
            if (offset + length > buffer.length) {
                return -1;
            }
            System.arraycopy(bytes, 0, buffer, offset, length);
            return length;
        }

        @Override
        public int appendUnquoted(char[] buffer, int offset) {
            if (offset + length > buffer.length) {
                return -1;
            }
            for (int i = 0; i < length; i++) {
                buffer[offset + i] = (char) bytes[i];
            }
            return length;
        }

        @Override
        public int writeUnquotedUTF8(OutputStream out) throws IOException {
            out.write(bytes, 0, length);
            return length;
        }

        @Override
        public int putUnquotedUTF8(ByteBuffer buffer) {
            if (length > buffer.remaining()) {
                return -1;
            }
            buffer.put(bytes, 0, length);
            return length;
        }

        @Override
        public char[] asQuotedChars() {
            throw notQuoted();
        }

        @Override
        public byte[] asQuotedUTF8() {
            throw notQuoted();
        }

        @Override
        public int appendQuotedUTF8(byte[] buffer, int offset) {
            throw notQuoted();
        }

        @Override
        public int appendQuoted(char[] buffer, int offset) {
            throw notQuoted();
        }

        @Override
        public int writeQuotedUTF8(OutputStream out) {
            throw notQuoted();
        }

        @Override
        public int putQuotedUTF8(ByteBuffer buffer) {
            throw notQuoted();
        }

        private static UnsupportedOperationException notQuoted() {
            return new UnsupportedOperationException("a raw value is never quoted");
        }
    }

    /** Go's {@code time.Time} JSON: RFC 3339 with the fraction's trailing zeros dropped; null is Go's zero time. */
    public static String rfc3339(Instant instant) {
        if (instant == null) {
            return "0001-01-01T00:00:00Z";
        }
        String s = instant.toString();
        int dot = s.indexOf('.');
        if (dot < 0) {
            return s;
        }
        int end = s.length() - 1;
        int last = end - 1;
        while (last > dot && s.charAt(last) == '0') {
            last--;
        }
        return (last == dot ? s.substring(0, dot) : s.substring(0, last + 1)) + "Z";
    }

    public static void writeLabels(JsonGenerator g, Labels labels) throws IOException {
        g.writeStartObject();
        for (int i = 0; i < labels.size(); i++) {
            g.writeStringField(labels.name(i), labels.value(i));
        }
        g.writeEndObject();
    }
}
