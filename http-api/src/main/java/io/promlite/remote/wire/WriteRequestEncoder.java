package io.promlite.remote.wire;

import io.promlite.tsdb.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Encodes remote write 1.0's protobuf {@code prometheus.WriteRequest} (the messages
 * {@link WriteRequestDecoder} reads). A series' labels are encoded once with {@link #labels} and
 * reused for every request carrying its samples, so building a request costs per sample only the
 * sample's own bytes. Not thread-safe; the buffer is reused across requests.
 */
public final class WriteRequestEncoder {
    private static final int TIMESERIES = 1 << 3 | 2;
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

    /** The encoded {@code Label} fields of a series, sorted by name as remote write requires. */
    public static byte[] labels(Labels all) {
        WriteRequestEncoder e = new WriteRequestEncoder();
        for (int i = 0; i < all.size(); i++) {
            byte[] name = all.name(i).getBytes(StandardCharsets.UTF_8);
            byte[] value = all.value(i).getBytes(StandardCharsets.UTF_8);
            e.ensure(30 + name.length + value.length);
            e.pos = putVarint(e.buf, e.pos, LABEL);
            e.pos = putVarint(e.buf, e.pos, 2 + varintSize(name.length) + name.length + varintSize(value.length)
                    + value.length);
            e.pos = e.bytes(LABEL_NAME, name);
            e.pos = e.bytes(LABEL_VALUE, value);
        }
        return Arrays.copyOf(e.buf, e.pos);
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

    private int bytes(int tag, byte[] b) {
        int p = putVarint(buf, pos, tag);
        p = putVarint(buf, p, b.length);
        System.arraycopy(b, 0, buf, p, b.length);
        return p + b.length;
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
