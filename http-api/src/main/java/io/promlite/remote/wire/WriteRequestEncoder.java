package io.promlite.remote.wire;

import io.promlite.tsdb.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Encodes remote write 1.0's protobuf {@code prometheus.WriteRequest} (the messages
 * {@link WriteRequestDecoder} reads). A series' labels are encoded once with {@link #labels} and
 * reused for every request carrying its samples, so building a request costs per sample only the
 * sample's own bytes. {@link #metadata} adds the {@code MetricMetadata} entries (field 3) that
 * {@code metadata_config} sends. Not thread-safe; the buffer is reused across requests.
 */
public final class WriteRequestEncoder {
    private static final int TIMESERIES = 1 << 3 | 2;
    private static final int METADATA = 3 << 3 | 2;
    private static final int METADATA_TYPE = 1 << 3;
    private static final int METADATA_FAMILY = 2 << 3 | 2;
    private static final int METADATA_HELP = 4 << 3 | 2;
    private static final int METADATA_UNIT = 5 << 3 | 2;
    /** {@code MetricMetadata.MetricType}'s values, by their position here; the type names are Prometheus's. */
    private static final List<String> METRIC_TYPES = List.of("unknown", "counter", "gauge", "histogram",
            "gaugehistogram", "summary", "info", "stateset");
    private static final int LABEL = 1 << 3 | 2;
    private static final int SAMPLE = 2 << 3 | 2;
    private static final int LABEL_NAME = 1 << 3 | 2;
    private static final int LABEL_VALUE = 2 << 3 | 2;
    private static final int SAMPLE_VALUE = 1 << 3 | 1;
    private static final int SAMPLE_TIMESTAMP = 2 << 3;

    private byte[] buf = new byte[64 * 1024];
    private int pos;

    /** A series' labels plus the external labels it does not have itself: its own win, as in Prometheus. */
    public static Labels withExternalLabels(Labels series, Map<String, String> externalLabels) {
        if (externalLabels.isEmpty()) {
            return series;
        }
        Labels.Builder b = series.toBuilder();
        externalLabels.forEach((name, value) -> {
            if (!series.has(name)) {
                b.set(name, value);
            }
        });
        return b.build();
    }

    /**
     * The encoded {@code Label} fields of a series, sorted by name as remote write requires. Sized
     * exactly: queues keep one per active series.
     */
    public static byte[] labels(Labels all) {
        byte[][] names = new byte[all.size()][];
        byte[][] values = new byte[all.size()][];
        int size = 0;
        for (int i = 0; i < all.size(); i++) {
            names[i] = all.name(i).getBytes(StandardCharsets.UTF_8);
            values[i] = all.value(i).getBytes(StandardCharsets.UTF_8);
            int label = labelSize(names[i], values[i]);
            size += 1 + varintSize(label) + label;
        }
        byte[] out = new byte[size];
        int p = 0;
        for (int i = 0; i < names.length; i++) {
            p = putVarint(out, p, LABEL);
            p = putVarint(out, p, labelSize(names[i], values[i]));
            p = putBytes(out, p, LABEL_NAME, names[i]);
            p = putBytes(out, p, LABEL_VALUE, values[i]);
        }
        return out;
    }

    private static int labelSize(byte[] name, byte[] value) {
        return 2 + varintSize(name.length) + name.length + varintSize(value.length) + value.length;
    }

    public void reset() {
        pos = 0;
    }

    /** Adds one {@code TimeSeries} with labels from {@link #labels} and samples {@code [from, from + n)}. */
    public void series(byte[] encodedLabels, long[] timestamps, double[] values, int from, int n) {
        int size = encodedLabels.length;
        for (int i = from; i < from + n; i++) {
            size += 2 + sampleSize(timestamps[i]);
        }
        ensure(10 + size);
        pos = putVarint(buf, pos, TIMESERIES);
        pos = putVarint(buf, pos, size);
        System.arraycopy(encodedLabels, 0, buf, pos, encodedLabels.length);
        pos += encodedLabels.length;
        for (int i = from; i < from + n; i++) {
            pos = putVarint(buf, pos, SAMPLE);
            pos = putVarint(buf, pos, sampleSize(timestamps[i]));
            buf[pos++] = SAMPLE_VALUE;
            long bits = Double.doubleToRawLongBits(values[i]);
            for (int b = 0; b < 8; b++) {
                buf[pos++] = (byte) (bits >>> (8 * b));
            }
            buf[pos++] = SAMPLE_TIMESTAMP;
            pos = putVarint(buf, pos, timestamps[i]);
        }
    }

    /**
     * Adds one {@code MetricMetadata}: {@code type} is a Prometheus type name (an unknown one is
     * sent as {@code UNKNOWN}, as Prometheus does); empty fields are left out, as proto3 does.
     */
    public void metadata(String type, String metricFamilyName, String help, String unit) {
        byte[] family = metricFamilyName.getBytes(StandardCharsets.UTF_8);
        byte[] helpBytes = help.getBytes(StandardCharsets.UTF_8);
        byte[] unitBytes = unit.getBytes(StandardCharsets.UTF_8);
        int typeValue = Math.max(0, METRIC_TYPES.indexOf(type));
        int size = (typeValue == 0 ? 0 : 2) + fieldSize(family) + fieldSize(helpBytes) + fieldSize(unitBytes);
        ensure(10 + size);
        pos = putVarint(buf, pos, METADATA);
        pos = putVarint(buf, pos, size);
        if (typeValue != 0) {
            pos = putVarint(buf, pos, METADATA_TYPE);
            pos = putVarint(buf, pos, typeValue);
        }
        pos = optionalBytes(METADATA_FAMILY, family);
        pos = optionalBytes(METADATA_HELP, helpBytes);
        pos = optionalBytes(METADATA_UNIT, unitBytes);
    }

    public byte[] buffer() {
        return buf;
    }

    public int length() {
        return pos;
    }

    /** value: tag + 8 bytes; timestamp: tag + int64 varint (negative ones take 10 bytes). */
    private static int sampleSize(long t) {
        return 1 + 8 + 1 + varintSize(t);
    }

    private static int putBytes(byte[] out, int p, int tag, byte[] b) {
        p = putVarint(out, p, tag);
        p = putVarint(out, p, b.length);
        System.arraycopy(b, 0, out, p, b.length);
        return p + b.length;
    }

    private int optionalBytes(int tag, byte[] b) {
        return b.length == 0 ? pos : putBytes(buf, pos, tag, b);
    }

    /** A string field's size with its one-byte tag; 0 for an empty one, which is left out. */
    private static int fieldSize(byte[] b) {
        return b.length == 0 ? 0 : 1 + varintSize(b.length) + b.length;
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7fL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private static int putVarint(byte[] b, int p, long v) {
        while ((v & ~0x7fL) != 0) {
            b[p++] = (byte) (v & 0x7f | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }
}
