package io.promlite.web.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
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
        StringBuilder sb = new StringBuilder(20);
        long t = ms;
        if (t < 0) {
            sb.append('-');
            t = -t;
        }
        sb.append(t / 1000);
        long fraction = t % 1000;
        if (fraction != 0) {
            sb.append('.');
            if (fraction < 100) {
                sb.append('0');
            }
            if (fraction < 10) {
                sb.append('0');
            }
            sb.append(fraction);
        }
        g.writeNumber(sb.toString());
    }

    /** A {@code [timestamp, "value"]} pair. */
    public static void writePoint(JsonGenerator g, long ms, double value) throws IOException {
        g.writeStartArray();
        writeTimestamp(g, ms);
        g.writeString(GoFloat.api(value));
        g.writeEndArray();
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
