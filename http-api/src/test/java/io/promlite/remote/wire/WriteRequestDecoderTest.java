package io.promlite.remote.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.StaleNaN;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteRequestDecoderTest {
    private static final String[] UP = {"__name__", "up", "instance", "a:1", "job", "x"};

    @Test
    void decodesSeriesLabelsAndSamples() throws Exception {
        byte[] msg = new WriteRequests()
                .series(UP, new long[] {1000, 2000}, new double[] {1, 0.5})
                .series(new String[] {"__name__", "b"}, 3000, -7).protobuf();
        List<TimeSeries> series = WriteRequestDecoder.decode(msg);
        assertEquals(2, series.size());
        assertEquals(Labels.of("__name__", "up", "instance", "a:1", "job", "x"), series.get(0).labels());
        assertArrayEquals(new long[] {1000, 2000}, series.get(0).timestamps());
        assertArrayEquals(new double[] {1, 0.5}, series.get(0).values());
        assertEquals(Labels.of("__name__", "b"), series.get(1).labels());
        assertEquals(-7, series.get(1).values()[0]);
    }

    @Test
    void staleMarkerKeepsItsExactBits() throws Exception {
        byte[] msg = new WriteRequests().series(UP, 1000, StaleNaN.VALUE).protobuf();
        double v = WriteRequestDecoder.decode(msg).get(0).values()[0];
        assertEquals(StaleNaN.BITS, Double.doubleToRawLongBits(v));
    }

    @Test
    void skipsUnknownFields() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // metadata (field 3), a varint field 9, a fixed32 field 10, then the series.
        WriteRequests.field(out, 3, new byte[] {8, 1});
        WriteRequests.varint(out, 9 << 3);
        WriteRequests.varint(out, 300);
        WriteRequests.varint(out, 10 << 3 | 5);
        out.writeBytes(new byte[4]);
        out.writeBytes(new WriteRequests().series(UP, 5, 5).protobuf());
        assertEquals(1, WriteRequestDecoder.decode(out.toByteArray()).size());
    }

    @Test
    void emptyRequestHasNoSeries() throws Exception {
        assertEquals(List.of(), WriteRequestDecoder.decode(new byte[0]));
    }

    @Test
    void rejectsInvalidLabels() {
        assertMessage("labels are not sorted by name",
                new WriteRequests().series(new String[] {"job", "x", "__name__", "up"}, 1, 1));
        assertMessage("duplicated label job",
                new WriteRequests().series(new String[] {"__name__", "up", "job", "x", "job", "y"}, 1, 1));
        assertMessage("invalid metric name or labels, got {job=\"x\"}",
                new WriteRequests().series(new String[] {"job", "x"}, 1, 1));
        assertMessage("invalid metric name or labels, got {__name__=\"\"}",
                new WriteRequests().series(new String[] {"__name__", ""}, 1, 1));
        assertMessage("empty label name",
                new WriteRequests().series(new String[] {"", "v", "__name__", "up"}, 1, 1));
    }

    @Test
    void rejectsMalformedProtobufWherEverItIsCut() {
        byte[] msg = new WriteRequests().series(UP, new long[] {1000, 2000}, new double[] {1, 2}).protobuf();
        for (int len = 1; len < msg.length; len++) {
            byte[] cut = Arrays.copyOf(msg, len);
            RemoteWriteException e = assertThrows(RemoteWriteException.class, () -> WriteRequestDecoder.decode(cut),
                    "cut at " + len);
            assertTrue(e.getMessage().startsWith("proto: ") || e.getMessage().contains("invalid"), e.getMessage());
        }
    }

    @Test
    void rejectsBadWireData() {
        assertThrows(RemoteWriteException.class, () -> WriteRequestDecoder.decode(new byte[] {0, 0}));
        assertThrows(RemoteWriteException.class, () -> WriteRequestDecoder.decode(new byte[] {(byte) 0x0f}));
        // A length far beyond the buffer.
        assertThrows(RemoteWriteException.class,
                () -> WriteRequestDecoder.decode(new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f}));
        // An overlong varint.
        byte[] overlong = new byte[11];
        Arrays.fill(overlong, (byte) 0xff);
        assertThrows(RemoteWriteException.class, () -> WriteRequestDecoder.decode(overlong));
    }

    private static void assertMessage(String expected, WriteRequests request) {
        RemoteWriteException e = assertThrows(RemoteWriteException.class,
                () -> WriteRequestDecoder.decode(request.protobuf()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
