package io.promlite.web.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.promlite.tsdb.model.Labels;
import io.promlite.web.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
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
     * Writes the {@code [timestamp, "value"]} pairs of one response, allocating nothing for most
     * points: a matrix repeats the same step timestamps in every series, so their encoded
     * spellings are kept (direct-mapped by time); integer values (counters, byte counts,
     * {@code up}) are spelled into a reused buffer; any other value equal to the previous one (a
     * gauge that did not move) reuses its spelling.
     */
    public static final class PointWriter {
        /** 512 slots: more than the steps of a usual range query (Prometheus caps them at 11,000). */
        private static final int SLOT_BITS = 9;
        private static final int TIMESTAMP_SLOTS = 1 << SLOT_BITS;

        private final long[] slotMs = new long[TIMESTAMP_SLOTS];
        private final SerializedString[] slotSpelling = new SerializedString[TIMESTAMP_SLOTS];
        private final char[] timestamp = new char[TIMESTAMP_CHARS];
        /** A sign and the at most 15 digits of an integer below 1e15. */
        private final char[] integer = new char[16];
        private long lastBits;
        private String lastValue;

        public void write(JsonGenerator g, long ms, double value) throws IOException {
            g.writeStartArray();
            g.writeRawValue(timestamp(ms));
            if (GoFloat.spelledAsLong(value)) {
                long v = (long) value;
                int start = 0;
                if (v < 0) {
                    integer[start++] = '-';
                }
                g.writeString(integer, 0, writeDigits(Math.abs(v), integer, start));
            } else {
                long bits = Double.doubleToRawLongBits(value);
                if (lastValue == null || bits != lastBits) {
                    lastValue = GoFloat.api(value);
                    lastBits = bits;
                }
                g.writeString(lastValue);
            }
            g.writeEndArray();
        }

        private SerializedString timestamp(long ms) {
            // Fibonacci hashing spreads the evenly spaced step times over the slots.
            int slot = (int) ((ms * 0x9E3779B97F4A7C15L) >>> (64 - SLOT_BITS));
            SerializedString spelling = slotSpelling[slot];
            if (spelling == null || slotMs[slot] != ms) {
                spelling = new SerializedString(new String(timestamp, 0, formatTimestamp(ms, timestamp)));
                slotSpelling[slot] = spelling;
                slotMs[slot] = ms;
            }
            return spelling;
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
