package io.promlite.remote.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.store.LabelsCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WriteRequestEncoderTest {

    @Test
    void decoderReadsEncodedSeriesWithExternalLabelsMerged() throws RemoteWriteException {
        byte[] a = LabelsCodec.encode(Labels.of("__name__", "up", "job", "node", "instance", "h:1"));
        byte[] b = LabelsCodec.encode(Labels.of("__name__", "x"));
        // Before, between, equal to and after the series' own names.
        WriteRequestEncoder e = new WriteRequestEncoder(
                Map.of("replica", "r1", "job", "external-loses", "a", "first", "iz", "between"));
        long[] ts = {-5, 0, 1_700_000_000_123L};
        double[] vs = {Double.NaN, 1.5, -0.0};
        e.series(a, ts, vs, 0, 3);
        e.series(b, ts, vs, 1, 1);
        byte[] message = java.util.Arrays.copyOf(e.buffer(), e.length());

        List<TimeSeries> decoded = WriteRequestDecoder.decode(message);
        assertEquals(2, decoded.size());
        assertEquals(Labels.of("__name__", "up", "a", "first", "instance", "h:1", "iz", "between", "job", "node",
                "replica", "r1"), decoded.get(0).labels());
        assertArrayEquals(ts, decoded.get(0).timestamps());
        assertEquals(Double.doubleToRawLongBits(Double.NaN), Double.doubleToRawLongBits(decoded.get(0).values()[0]));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(decoded.get(0).values()[2]));
        assertEquals(Labels.of("__name__", "x", "a", "first", "iz", "between", "job", "external-loses",
                "replica", "r1"), decoded.get(1).labels());
        assertArrayEquals(new long[] {0}, decoded.get(1).timestamps());

        e.reset();
        e.series(b, ts, vs, 2, 1);
        assertEquals(1, WriteRequestDecoder.decode(java.util.Arrays.copyOf(e.buffer(), e.length())).size());
    }

    @Test
    void sendsLabelsAsStoredWithoutExternalLabels() throws RemoteWriteException {
        WriteRequestEncoder e = new WriteRequestEncoder();
        Labels utf8 = Labels.of("__name__", "temp", "city", "Zürich", "zone", "ß");
        e.series(LabelsCodec.encode(utf8), new long[] {1}, new double[] {2}, 0, 1);
        assertEquals(utf8, WriteRequestDecoder.decode(java.util.Arrays.copyOf(e.buffer(), e.length())).get(0).labels());
    }

    @Test
    void labelsFromTheStartOfAReusedBufferEncodeAsTheExactArrayDoes() {
        byte[] stored = LabelsCodec.encode(Labels.of("__name__", "up", "job", "node", "instance", "h:1"));
        byte[] reused = java.util.Arrays.copyOf(stored, stored.length + 300);
        java.util.Arrays.fill(reused, stored.length, reused.length, (byte) 0x7f);
        long[] ts = {1_700_000_000_123L};
        double[] vs = {2.5};
        WriteRequestEncoder exact = new WriteRequestEncoder(Map.of("replica", "r1"));
        exact.series(stored, ts, vs, 0, 1);
        WriteRequestEncoder fromBuffer = new WriteRequestEncoder(Map.of("replica", "r1"));
        fromBuffer.series(reused, stored.length, ts, vs, 0, 1);
        assertArrayEquals(java.util.Arrays.copyOf(exact.buffer(), exact.length()),
                java.util.Arrays.copyOf(fromBuffer.buffer(), fromBuffer.length()));
    }

    @Test
    void seriesOfEverySizeAroundOneAndTwoByteLengthsDecode() throws RemoteWriteException {
        // The message length is sized from an upper bound first: these cross 128 and 16384 both
        // with the bound and the exact length, and with only the bound.
        WriteRequestEncoder e = new WriteRequestEncoder(Map.of("replica", "r1"));
        List<Labels> sent = new java.util.ArrayList<>();
        List<long[]> times = new java.util.ArrayList<>();
        for (int len = 0; len < 200; len++) {
            Labels l = Labels.of("__name__", "m", "job", "j", "v", "x".repeat(len));
            int n = 1 + len % 3 + (len == 150 ? 800 : 0);
            long[] ts = new long[n];
            double[] vs = new double[n];
            for (int i = 0; i < n; i++) {
                ts[i] = len % 2 == 0 ? i : -1_700_000_000_000L * (i + 1);
                vs[i] = len + i;
            }
            e.series(LabelsCodec.encode(l), ts, vs, 0, n);
            sent.add(l);
            times.add(ts);
        }
        List<TimeSeries> decoded = WriteRequestDecoder.decode(java.util.Arrays.copyOf(e.buffer(), e.length()));
        assertEquals(sent.size(), decoded.size());
        for (int k = 0; k < sent.size(); k++) {
            assertEquals(sent.get(k).toBuilder().set("replica", "r1").build(), decoded.get(k).labels());
            assertArrayEquals(times.get(k), decoded.get(k).timestamps());
            assertEquals(k + times.get(k).length - 1, decoded.get(k).values()[times.get(k).length - 1]);
        }
    }

    @Test
    void timestampsOnBothSidesOfEveryVarintLengthDecode() throws RemoteWriteException {
        WriteRequestEncoder e = new WriteRequestEncoder();
        List<Long> edges = new java.util.ArrayList<>(List.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE,
                1_763_000_000_123L, 0x5555_5555_5555L, 0x2AA_AAAA_AAAAL));
        for (int bits = 7; bits < 64; bits += 7) {
            edges.add((1L << bits) - 1);
            edges.add(1L << bits);
        }
        long[] ts = edges.stream().mapToLong(Long::longValue).toArray();
        double[] vs = new double[ts.length];
        java.util.Arrays.fill(vs, 0.5);
        e.series(LabelsCodec.encode(Labels.of("__name__", "m")), ts, vs, 0, ts.length);
        // Each sample once more as a series of its own, so a timestamp is also followed by a new series.
        for (int i = 0; i < ts.length; i++) {
            e.series(LabelsCodec.encode(Labels.of("__name__", "m", "i", "" + i)), ts, vs, i, 1);
        }
        List<TimeSeries> decoded = WriteRequestDecoder.decode(java.util.Arrays.copyOf(e.buffer(), e.length()));
        assertArrayEquals(ts, decoded.get(0).timestamps());
        assertArrayEquals(vs, decoded.get(0).values());
        for (int i = 0; i < ts.length; i++) {
            assertArrayEquals(new long[] {ts[i]}, decoded.get(i + 1).timestamps());
            assertEquals("" + i, decoded.get(i + 1).labels().get("i"));
        }
    }

    @Test
    void largeRequestsRoundTripThroughSnappy() throws RemoteWriteException {
        WriteRequestEncoder e = new WriteRequestEncoder();
        long[] ts = new long[100];
        double[] vs = new double[100];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = 1_700_000_000_000L + i * 15_000L;
            vs[i] = i * 0.25;
        }
        for (int s = 0; s < 500; s++) {
            e.series(LabelsCodec.encode(Labels.of("__name__", "m", "series", "s" + s, "v", "x".repeat(s))), ts, vs, 0, 100);
        }
        SnappyEncoder snappy = new SnappyEncoder();
        snappy.encode(e.buffer(), e.length());
        byte[] body = java.util.Arrays.copyOf(snappy.buffer(), snappy.length());
        List<TimeSeries> decoded = WriteRequestDecoder.decode(SnappyBlock.decode(body, 64 << 20));
        assertEquals(500, decoded.size());
        assertArrayEquals(vs, decoded.get(499).values());
        assertEquals("s499", decoded.get(499).labels().get("series"));
        // Labels past the encoder's first label buffer and past one-byte length varints.
        assertEquals("x".repeat(499), decoded.get(499).labels().get("v"));
    }
}
