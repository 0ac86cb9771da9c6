package io.promlite.remote.wire;

import static io.promlite.tsdb.store.ByteCodec.putUvarint;
import static io.promlite.tsdb.store.ByteCodec.uvarintSize;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.store.LabelsCodec;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Encodes remote write 1.0's protobuf {@code prometheus.WriteRequest} (the messages
 * {@link WriteRequestDecoder} reads). A series' labels come as the store keeps them
 * ({@link LabelsCodec}), so queues need no labels of their own per series. {@link #metadata} adds the {@code MetricMetadata} entries (field 3) that
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

    /** A {@code Sample} field: tag, length, value (tag + 8 bytes), timestamp (tag + a varint of up to 10 bytes). */
    private static final int MAX_SAMPLE_FIELD = 2 + 9 + 11;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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

    /** Sorted by name, as UTF-8: merged into every series, which keeps its own label of the same name. */
    private final byte[][] externalNames;
    /** Each external label as a whole {@code Label} field, copied as is. */
    private final byte[][] externalFields;
    private final int externalBytes;

    /** An encoder that sends series' labels as they are. */
    public WriteRequestEncoder() {
        this(Map.of());
    }

    /** An encoder that adds {@code externalLabels} to each series that lacks them (its own win, as in Prometheus). */
    public WriteRequestEncoder(Map<String, String> externalLabels) {
        Labels sorted = Labels.fromMap(externalLabels);
        externalNames = new byte[sorted.size()][];
        externalFields = new byte[sorted.size()][];
        int bytes = 0;
        for (int i = 0; i < sorted.size(); i++) {
            externalNames[i] = sorted.name(i).getBytes(StandardCharsets.UTF_8);
            byte[] value = sorted.value(i).getBytes(StandardCharsets.UTF_8);
            int label = 2 + uvarintSize(externalNames[i].length) + externalNames[i].length
                    + uvarintSize(value.length) + value.length;
            byte[] field = new byte[1 + uvarintSize(label) + label];
            int p = putUvarint(field, 0, LABEL);
            p = putUvarint(field, p, label);
            p = putBytes(field, p, LABEL_NAME, externalNames[i]);
            putBytes(field, p, LABEL_VALUE, value);
            externalFields[i] = field;
            bytes += field.length;
        }
        externalBytes = bytes;
    }

    public void reset() {
        pos = 0;
    }

    /**
     * Adds one {@code TimeSeries}: the labels {@code storedLabels} holds in {@link LabelsCodec}'s
     * encoding (sorted by name, as the store keeps them) with the external labels merged in, and
     * samples {@code [from, from + n)}. Transcoding the store's bytes, rather than copying a cached
     * encoding, saves that cache's 140-odd bytes per active series. One pass: the labels and
     * samples are written after room for the message's length, sized from an upper bound, so
     * they move only when the exact length takes fewer bytes than the bound's (rare: both sit on
     * the same side of 128 for almost every series).
     */
    public void series(byte[] storedLabels, long[] timestamps, double[] values, int from, int n) {
        series(storedLabels, storedLabels.length, timestamps, values, from, n);
    }

    /** {@link #series(byte[], long[], double[], int, int)} with the labels in {@code storedLabels[0, labelsLength)}, e.g. a reused buffer. */
    public void series(byte[] storedLabels, int labelsLength, long[] timestamps, double[] values, int from, int n) {
        int pairs = varintAt(storedLabels, 0);
        // A label field adds at most 8 bytes to the stored label: three tags and a length of up to 5.
        int upper = labelsLength + 8 * pairs + externalBytes + n * MAX_SAMPLE_FIELD;
        int lengthBytes = uvarintSize(upper);
        ensure(1 + lengthBytes + upper);
        buf[pos] = TIMESERIES;
        int start = pos + 1 + lengthBytes;
        int p = putLabels(storedLabels, uvarintSize(pairs), pairs, start);
        for (int i = from; i < from + n; i++) {
            buf[p] = SAMPLE;
            int sample = p + 2;
            buf[sample] = SAMPLE_VALUE;
            LONG.set(buf, sample + 1, Double.doubleToRawLongBits(values[i]));
            buf[sample + 9] = SAMPLE_TIMESTAMP;
            p = putUvarint(buf, sample + 10, timestamps[i]);
            // At most 20 bytes: the length is one byte, written once the timestamp's size is known.
            buf[sample - 1] = (byte) (p - sample);
        }
        int size = p - start;
        int sizeBytes = uvarintSize(size);
        if (sizeBytes != lengthBytes) {
            System.arraycopy(buf, start, buf, pos + 1 + sizeBytes, size);
        }
        putUvarint(buf, pos + 1, size);
        pos += 1 + sizeBytes + size;
    }

    /**
     * Writes the series' and external labels, merged by name, as {@code Label} fields into
     * {@link #buf} from {@code q}; returns where they end. A stored label is {@code uvarint(len)
     * name uvarint(len) value}, so its field is a tag, a length and the stored bytes with a tag
     * before each part.
     */
    private int putLabels(byte[] stored, int r, int pairs, int q) {
        byte[] out = buf;
        int e = 0;
        for (int i = 0; i < pairs; i++) {
            int nameField = r;
            int nameLength = varintAt(stored, r);
            int name = r + uvarintSize(nameLength);
            int valueField = name + nameLength;
            int valueLength = varintAt(stored, valueField);
            r = valueField + uvarintSize(valueLength) + valueLength;
            while (e < externalNames.length && (externalNames[e][0] & 0xff) <= (stored[name] & 0xff)) {
                int c = Arrays.compareUnsigned(externalNames[e], 0, externalNames[e].length,
                        stored, name, name + nameLength);
                if (c > 0) {
                    break;
                }
                if (c < 0) {
                    System.arraycopy(externalFields[e], 0, out, q, externalFields[e].length);
                    q += externalFields[e].length;
                }
                e++;
            }
            int nameBytes = valueField - nameField;
            int valueBytes = r - valueField;
            out[q++] = LABEL;
            q = putUvarint(out, q, 2 + nameBytes + valueBytes);
            out[q++] = LABEL_NAME;
            System.arraycopy(stored, nameField, out, q, nameBytes);
            q += nameBytes;
            out[q++] = LABEL_VALUE;
            System.arraycopy(stored, valueField, out, q, valueBytes);
            q += valueBytes;
        }
        for (; e < externalNames.length; e++) {
            System.arraycopy(externalFields[e], 0, out, q, externalFields[e].length);
            q += externalFields[e].length;
        }
        return q;
    }


    /** The uvarint at {@code b[p]}; it takes {@code uvarintSize} bytes, as the store writes them minimally. */
    private static int varintAt(byte[] b, int p) {
        int x = b[p];
        if (x >= 0) {
            return x;
        }
        int v = x & 0x7f;
        for (int shift = 7; ; shift += 7) {
            x = b[++p];
            v |= (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
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
        pos = putUvarint(buf, pos, METADATA);
        pos = putUvarint(buf, pos, size);
        if (typeValue != 0) {
            pos = putUvarint(buf, pos, METADATA_TYPE);
            pos = putUvarint(buf, pos, typeValue);
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

    private static int putBytes(byte[] out, int p, int tag, byte[] b) {
        p = putUvarint(out, p, tag);
        p = putUvarint(out, p, b.length);
        System.arraycopy(b, 0, out, p, b.length);
        return p + b.length;
    }

    private int optionalBytes(int tag, byte[] b) {
        return b.length == 0 ? pos : putBytes(buf, pos, tag, b);
    }

    /** A string field's size with its one-byte tag; 0 for an empty one, which is left out. */
    private static int fieldSize(byte[] b) {
        return b.length == 0 ? 0 : 1 + uvarintSize(b.length) + b.length;
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }
}
