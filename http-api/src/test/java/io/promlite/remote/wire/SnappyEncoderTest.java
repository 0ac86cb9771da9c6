package io.promlite.remote.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class SnappyEncoderTest {

    /** Inputs well past one 64 KiB block: repetitive, random, and remote-write-like text. */
    private static byte[][] inputs() {
        Random random = new Random(42);
        byte[] noise = new byte[300_000];
        random.nextBytes(noise);
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 1_000_000; i++) {
            text.append("http_requests_total{job=\"api\",instance=\"10.0.").append(i % 250).append('.')
                    .append(i % 7).append(":9100\",code=\"").append(200 + i % 5).append("\"} ")
                    .append(random.nextInt(100_000)).append('\n');
        }
        byte[] zeros = new byte[200_003];
        byte[] mixed = new byte[150_000];
        for (int i = 0; i < mixed.length; i++) {
            mixed[i] = (byte) (i % 1000 < 500 ? noise[i] : i / 3);
        }
        byte[] textBytes = text.toString().getBytes(StandardCharsets.UTF_8);
        List<byte[]> all = new ArrayList<>(List.of(new byte[0], "a".getBytes(StandardCharsets.UTF_8),
                "abcdabcdabcdabcdabcdabcd".getBytes(StandardCharsets.UTF_8), noise, textBytes, zeros, mixed));
        // Blocks of every hash table size (256 to 16384 entries, sized to the block).
        for (int n : new int[] {17, 100, 256, 257, 1000, 4097, 20_000, 65_535, 65_537}) {
            all.add(Arrays.copyOfRange(textBytes, 1000, 1000 + n));
        }
        return all.toArray(new byte[0][]);
    }

    @Test
    void promliteDecoderReadsWhatTheEncoderWrites() throws RemoteWriteException {
        for (byte[] raw : inputs()) {
            assertArrayEquals(raw, SnappyBlock.decode(SnappyEncoder.encode(raw), raw.length));
        }
    }

    @Test
    void referenceSnappyReadsWhatTheEncoderWritesAndViceVersa() throws IOException, RemoteWriteException {
        for (byte[] raw : inputs()) {
            byte[] encoded = SnappyEncoder.encode(raw);
            assertTrue(Snappy.isValidCompressedBuffer(encoded));
            assertArrayEquals(raw, Snappy.uncompress(encoded));
            assertArrayEquals(raw, SnappyBlock.decode(Snappy.compress(raw), raw.length));
        }
    }

    @Test
    void compressesRepetitiveInput() {
        byte[] zeros = new byte[1 << 20];
        assertTrue(SnappyEncoder.encode(zeros).length < zeros.length / 20);
    }

    @Test
    void reusedEncoderGivesTheSameResult() throws RemoteWriteException {
        SnappyEncoder encoder = new SnappyEncoder();
        for (byte[] raw : inputs()) {
            encoder.encode(raw, raw.length);
            byte[] copy = java.util.Arrays.copyOf(encoder.buffer(), encoder.length());
            assertArrayEquals(SnappyEncoder.encode(raw), copy);
            assertArrayEquals(raw, SnappyBlock.decode(copy, raw.length));
        }
    }
}
