package io.promlite.remote.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SnappyBlockTest {
    @Test
    void roundTrips() throws Exception {
        byte[] raw = "up{job=\"a\"} 1 up{job=\"a\"} 1 up{job=\"a\"} 1 repeated repeated repeated"
                .repeat(100).getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(raw, SnappyBlock.decode(WriteRequests.compress(raw), 1 << 20));
        assertArrayEquals(new byte[0], SnappyBlock.decode(WriteRequests.compress(new byte[0]), 10));
    }

    @Test
    void declaredLengthAboveTheLimitIsRefusedBeforeDecoding() {
        // Preamble: 1 GiB declared, followed by nothing.
        byte[] bomb = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04};
        RemoteWriteException e = assertThrows(RemoteWriteException.class, () -> SnappyBlock.decode(bomb, 1 << 20));
        assertTrue(e.getMessage().contains("more than the limit"), e.getMessage());
    }

    @Test
    void corruptOrTruncatedInputIsRefused() {
        byte[] good = WriteRequests.compress("hello hello hello hello hello".getBytes(StandardCharsets.UTF_8));
        assertThrows(RemoteWriteException.class, () -> SnappyBlock.decode(new byte[0], 100));
        assertThrows(RemoteWriteException.class, () -> SnappyBlock.decode(Arrays.copyOf(good, good.length - 2), 100));
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        assertThrows(RemoteWriteException.class, () -> SnappyBlock.decode(trailing, 100));
        // Not snappy at all: a text body.
        assertThrows(RemoteWriteException.class,
                () -> SnappyBlock.decode("not snappy".getBytes(StandardCharsets.UTF_8), 1000));
        // A copy reaching before the start of the output.
        assertThrows(RemoteWriteException.class, () -> SnappyBlock.decode(new byte[] {5, 0x01 | (3 << 2), 10}, 100));
    }
}
