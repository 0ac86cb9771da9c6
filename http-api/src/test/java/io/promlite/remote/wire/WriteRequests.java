package io.promlite.remote.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.compression.Snappy;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds remote-write 1.0 payloads (protobuf, then snappy) the way a sender encodes them. */
public final class WriteRequests {
    private final ByteArrayOutputStream request = new ByteArrayOutputStream();

    /**
     * Adds a series with labels given as name/value pairs, in the order given (so tests can send
     * unsorted ones), and samples as timestamp/value pairs.
     */
    public WriteRequests series(String[] labels, long[] timestamps, double[] values) {
        ByteArrayOutputStream ts = new ByteArrayOutputStream();
        for (int i = 0; i < labels.length; i += 2) {
            ByteArrayOutputStream label = new ByteArrayOutputStream();
            field(label, 1, labels[i].getBytes(StandardCharsets.UTF_8));
            field(label, 2, labels[i + 1].getBytes(StandardCharsets.UTF_8));
            field(ts, 1, label.toByteArray());
        }
        for (int i = 0; i < timestamps.length; i++) {
            ByteArrayOutputStream sample = new ByteArrayOutputStream();
            varint(sample, 1 << 3 | 1);
            long bits = Double.doubleToRawLongBits(values[i]);
            for (int b = 0; b < 8; b++) {
                sample.write((int) (bits >>> (8 * b)) & 0xff);
            }
            varint(sample, 2 << 3);
            varint(sample, timestamps[i]);
            field(ts, 2, sample.toByteArray());
        }
        field(request, 1, ts.toByteArray());
        return this;
    }

    public WriteRequests series(String[] labels, long timestamp, double value) {
        return series(labels, new long[] {timestamp}, new double[] {value});
    }

    public byte[] protobuf() {
        return request.toByteArray();
    }

    public byte[] snappy() {
        return compress(protobuf());
    }

    public static byte[] compress(byte[] raw) {
        ByteBuf out = Unpooled.buffer();
        new Snappy().encode(Unpooled.wrappedBuffer(raw), out, raw.length);
        return ByteBufUtil.getBytes(out);
    }

    static void field(ByteArrayOutputStream out, int number, byte[] bytes) {
        varint(out, (long) number << 3 | 2);
        varint(out, bytes.length);
        out.writeBytes(bytes);
    }

    static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }
}
