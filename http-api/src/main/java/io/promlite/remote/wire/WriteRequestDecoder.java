package io.promlite.remote.wire;

import io.promlite.tsdb.model.Labels;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes remote write 1.0's protobuf {@code prometheus.WriteRequest}: repeated
 * {@code TimeSeries timeseries = 1}, each with repeated {@code Label labels = 1}
 * ({@code string name = 1; string value = 2}) and repeated {@code Sample samples = 2}
 * ({@code double value = 1; int64 timestamp = 2}). Other fields (metadata, exemplars,
 * histograms) are skipped. Labels are validated as Prometheus requires: sorted by name, no
 * name twice, a non-empty {@code __name__}; any violation rejects the whole request.
 */
public final class WriteRequestDecoder {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final byte[] buf;
    private int pos;

    private WriteRequestDecoder(byte[] buf) {
        this.buf = buf;
    }

    public static List<TimeSeries> decode(byte[] message) throws RemoteWriteException {
        WriteRequestDecoder d = new WriteRequestDecoder(message);
        List<TimeSeries> series = new ArrayList<>();
        while (d.pos < message.length) {
            long tag = d.varint();
            if (fieldNumber(tag) == 1 && wireType(tag) == LENGTH_DELIMITED) {
                int end = d.lengthDelimitedEnd();
                series.add(d.timeSeries(end));
            } else {
                d.skip(tag);
            }
        }
        return series;
    }

    private TimeSeries timeSeries(int end) throws RemoteWriteException {
        List<String> pairs = new ArrayList<>();
        long[] ts = new long[8];
        double[] vs = new double[8];
        int n = 0;
        while (pos < end) {
            long tag = varint();
            int field = fieldNumber(tag);
            if (field == 1 && wireType(tag) == LENGTH_DELIMITED) {
                label(lengthDelimitedEnd(), pairs);
            } else if (field == 2 && wireType(tag) == LENGTH_DELIMITED) {
                int sampleEnd = lengthDelimitedEnd();
                if (n == ts.length) {
                    ts = Arrays.copyOf(ts, n * 2);
                    vs = Arrays.copyOf(vs, n * 2);
                }
                sample(sampleEnd, ts, vs, n++);
            } else {
                skip(tag);
            }
            if (pos > end) {
                throw truncated();
            }
        }
        return new TimeSeries(labels(pairs), Arrays.copyOf(ts, n), Arrays.copyOf(vs, n));
    }

    private void label(int end, List<String> pairs) throws RemoteWriteException {
        String name = "";
        String value = "";
        while (pos < end) {
            long tag = varint();
            if (fieldNumber(tag) == 1 && wireType(tag) == LENGTH_DELIMITED) {
                name = string(lengthDelimitedEnd());
            } else if (fieldNumber(tag) == 2 && wireType(tag) == LENGTH_DELIMITED) {
                value = string(lengthDelimitedEnd());
            } else {
                skip(tag);
            }
        }
        if (pos != end) {
            throw truncated();
        }
        pairs.add(name);
        pairs.add(value);
    }

    private void sample(int end, long[] ts, double[] vs, int i) throws RemoteWriteException {
        long timestamp = 0;
        // Raw bits: the stale marker is a NaN whose payload must survive unchanged.
        long valueBits = 0;
        while (pos < end) {
            long tag = varint();
            if (fieldNumber(tag) == 1 && wireType(tag) == FIXED64) {
                valueBits = fixed64();
            } else if (fieldNumber(tag) == 2 && wireType(tag) == VARINT) {
                timestamp = varint();
            } else {
                skip(tag);
            }
        }
        if (pos != end) {
            throw truncated();
        }
        ts[i] = timestamp;
        vs[i] = Double.longBitsToDouble(valueBits);
    }

    private static Labels labels(List<String> pairs) throws RemoteWriteException {
        Labels.Builder b = Labels.builder();
        String previous = null;
        for (int i = 0; i < pairs.size(); i += 2) {
            String name = pairs.get(i);
            if (name.isEmpty()) {
                throw new RemoteWriteException("invalid metric name or labels, got " + render(pairs)
                        + ": empty label name");
            }
            if (previous != null) {
                int c = previous.compareTo(name);
                if (c == 0) {
                    throw new RemoteWriteException("invalid labels for series, labels " + render(pairs)
                            + ", duplicated label " + name);
                }
                if (c > 0) {
                    throw new RemoteWriteException("invalid labels for series, labels " + render(pairs)
                            + ", labels are not sorted by name");
                }
            }
            previous = name;
            b.set(name, pairs.get(i + 1));
        }
        Labels labels = b.build();
        String metric = labels.get(Labels.METRIC_NAME);
        if (metric == null || metric.isEmpty()) {
            throw new RemoteWriteException("invalid metric name or labels, got " + render(pairs));
        }
        return labels;
    }

    private static String render(List<String> pairs) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < pairs.size(); i += 2) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(pairs.get(i)).append("=\"").append(pairs.get(i + 1)).append('"');
        }
        return sb.append('}').toString();
    }

    // ---- wire format

    private static int fieldNumber(long tag) {
        return (int) (tag >>> 3);
    }

    private static int wireType(long tag) {
        return (int) (tag & 7);
    }

    private long varint() throws RemoteWriteException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= buf.length) {
                throw truncated();
            }
            int b = buf[pos++] & 0xff;
            result |= (long) (b & 0x7f) << shift;
            if (b < 0x80) {
                return result;
            }
        }
        throw new RemoteWriteException("proto: integer overflow");
    }

    private long fixed64() throws RemoteWriteException {
        if (pos + 8 > buf.length) {
            throw truncated();
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (buf[pos + i] & 0xff);
        }
        pos += 8;
        return v;
    }

    /** Reads a length prefix and returns where the field ends, checked against the buffer. */
    private int lengthDelimitedEnd() throws RemoteWriteException {
        long len = varint();
        if (len < 0 || len > buf.length - pos) {
            throw truncated();
        }
        return pos + (int) len;
    }

    private String string(int end) throws RemoteWriteException {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, pos, end - pos)).toString();
            pos = end;
            return s;
        } catch (CharacterCodingException e) {
            throw new RemoteWriteException("proto: invalid UTF-8 in string field");
        }
    }

    private void skip(long tag) throws RemoteWriteException {
        if (fieldNumber(tag) == 0) {
            throw new RemoteWriteException("proto: illegal tag 0");
        }
        switch (wireType(tag)) {
            case VARINT -> varint();
            case FIXED64 -> advance(8);
            case LENGTH_DELIMITED -> pos = lengthDelimitedEnd();
            case FIXED32 -> advance(4);
            default -> throw new RemoteWriteException("proto: illegal wireType " + wireType(tag));
        }
    }

    private void advance(int n) throws RemoteWriteException {
        if (pos + n > buf.length) {
            throw truncated();
        }
        pos += n;
    }

    private static RemoteWriteException truncated() {
        return new RemoteWriteException("proto: unexpected EOF");
    }
}
