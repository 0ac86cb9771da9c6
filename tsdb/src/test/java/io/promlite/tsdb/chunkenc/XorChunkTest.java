package io.promlite.tsdb.chunkenc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.StaleNaN;
import java.util.Random;
import org.junit.jupiter.api.Test;

class XorChunkTest {
    private static void assertRoundTrip(long[] ts, long[] bits) {
        // The smallest buffer: every sample makes it grow by exactly the room that sample needs.
        XorChunk c = new XorChunk(0);
        for (int i = 0; i < ts.length; i++) {
            c.append(ts[i], bits[i]);
        }
        assertEquals(ts.length, c.numSamples());
        // The first timestamp is decoded from the chunk's bytes, not kept.
        assertEquals(ts[0], c.minTime());
        assertEquals(ts[ts.length - 1], c.maxTime());
        assertDecodes(c.toByteArray(), ts, bits);
        // Resuming an encoded chunk yields identical bytes.
        byte[] enc = c.toByteArray();
        XorChunk resumed = XorChunk.resume(enc, 0, enc.length);
        assertEquals(c.length(), resumed.length());
        assertDecodes(resumed.toByteArray(), ts, bits);
    }

    private static void assertDecodes(byte[] enc, long[] ts, long[] bits) {
        // Decode from an offset inside a larger array, as chunks come out of RocksDB values.
        byte[] padded = new byte[enc.length + 7];
        System.arraycopy(enc, 0, padded, 3, enc.length);
        XorIterator it = new XorIterator().reset(padded, 3, enc.length);
        assertEquals(ts.length, it.numSamples());
        for (int i = 0; i < ts.length; i++) {
            assertTrue(it.next(), "sample " + i);
            assertEquals(ts[i], it.timestamp(), "timestamp " + i);
            assertEquals(bits[i], it.valueBits(), "value bits " + i);
        }
        assertFalse(it.next());
    }

    private static long[] bitsOf(double... vs) {
        long[] b = new long[vs.length];
        for (int i = 0; i < vs.length; i++) {
            b[i] = Double.doubleToRawLongBits(vs[i]);
        }
        return b;
    }

    @Test
    void specialValuesRoundTripBitExact() {
        double[] vs = {0.0, -0.0, Double.NaN, StaleNaN.VALUE, Double.longBitsToDouble(0xfff8000000000001L),
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE,
            -Double.MAX_VALUE, 1.0, StaleNaN.VALUE, StaleNaN.VALUE, 42.5};
        long[] ts = new long[vs.length];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = 1_700_000_000_000L + i * 15_000L;
        }
        assertRoundTrip(ts, bitsOf(vs));
    }

    @Test
    void everyTimestampBucketRoundTrips() {
        // Deltas chosen so delta-of-delta lands on each bucket's edges, then in the 64-bit escape.
        long[] dods = {0, 1, -1, 8191, -8192, 8192, -8193, 65535, -65536, 65536, -65537,
            524287, -524288, 524288, -524289, 1L << 40, -(1L << 40)};
        long[] ts = new long[dods.length + 2];
        ts[0] = -5_000;
        ts[1] = ts[0] + 2_000_000_000_000L;
        long delta = ts[1] - ts[0];
        for (int i = 0; i < dods.length; i++) {
            delta = Math.max(1, delta + dods[i]);
            ts[i + 2] = ts[i + 1] + delta;
        }
        long[] bits = new long[ts.length];
        assertRoundTrip(ts, bits);
    }

    @Test
    void extremeTimestampsRoundTrip() {
        assertRoundTrip(new long[] {Long.MIN_VALUE + 1, -1, 0, Long.MAX_VALUE - 1}, bitsOf(1, 2, 3, 4));
        assertRoundTrip(new long[] {Long.MAX_VALUE}, bitsOf(7));
    }

    @Test
    void irregularIntervalsAndCounterResets() {
        Random rnd = new Random(7);
        long[] ts = new long[XorChunk.TARGET_SAMPLES];
        long[] bits = new long[ts.length];
        long t = 1_700_000_000_000L;
        double counter = 0;
        for (int i = 0; i < ts.length; i++) {
            t += 1 + (rnd.nextInt(10) == 0 ? rnd.nextInt(600_000) : 15_000 + rnd.nextInt(50) - 25);
            counter = rnd.nextInt(30) == 0 ? 0 : counter + rnd.nextInt(100);
            ts[i] = t;
            bits[i] = Double.doubleToRawLongBits(rnd.nextInt(5) == 0 ? rnd.nextGaussian() : counter);
        }
        assertRoundTrip(ts, bits);
    }

    @Test
    void randomBitPatternsRoundTrip() {
        Random rnd = new Random(11);
        for (int round = 0; round < 50; round++) {
            int n = 1 + rnd.nextInt(300);
            long[] ts = new long[n];
            long[] bits = new long[n];
            long t = rnd.nextLong() >> 20;
            for (int i = 0; i < n; i++) {
                t += 1 + (rnd.nextBoolean() ? rnd.nextInt(100) : (rnd.nextLong() >>> 30));
                ts[i] = t;
                bits[i] = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextLong();
                    case 1 -> i > 0 ? bits[i - 1] : 0;
                    case 2 -> i > 0 ? bits[i - 1] ^ (1L << rnd.nextInt(64)) : 1;
                    default -> Double.doubleToRawLongBits(rnd.nextInt(1000));
                };
            }
            assertRoundTrip(ts, bits);
        }
    }

    @Test
    void regularSamplesCompressWell() {
        XorChunk c = new XorChunk();
        for (int i = 0; i < XorChunk.TARGET_SAMPLES; i++) {
            c.append(1_700_000_000_000L + i * 15_000L, Double.doubleToRawLongBits(i < 60 ? 1 : 0));
        }
        // 19 bytes for the first two samples, then two bits per sample (plus one value change).
        assertTrue(c.length() <= 53, "encoded size " + c.length());
        assertEquals(1_700_000_000_000L, c.minTime());
        assertEquals(1_700_000_000_000L + 119 * 15_000L, c.maxTime());
    }

    @Test
    void bufferGrowsTowardTheFullChunkInFewCopiesWithBoundedSlack() {
        Random rnd = new Random(5);
        XorChunk c = new XorChunk();
        long bits = Double.doubleToRawLongBits(1000);
        byte[] buffer = null;
        int copies = 0;
        int largest = 0;
        for (int i = 0; i < XorChunk.TARGET_SAMPLES; i++) {
            bits = rnd.nextInt(4) == 0 ? Double.doubleToRawLongBits(rnd.nextDouble()) : bits;
            c.append(1_700_000_000_000L + i * 5_000L + (i % 3), bits);
            if (c.bytes() != buffer) {
                buffer = c.bytes();
                copies++;
            }
            largest = Math.max(largest, c.bytes().length);
        }
        // Growing by a quarter took 13 buffers for this chunk; each copy of a head chunk is
        // promoted before it dies, so fewer copies keep the old generation cleaner.
        assertTrue(copies <= 6, copies + " buffers");
        // Never far past what the chunk takes in the end: spare room is paid for every active series.
        assertTrue(largest <= c.length() * 5 / 4 + 16, "capacity up to " + largest + " for " + c.length());
        assertTrue(c.bytes().length <= c.length() * 9 / 8 + 16, "final capacity " + c.bytes().length + " for " + c.length());
    }

    @Test
    void truncatedChunkIsReportedNotMisread() {
        XorChunk c = new XorChunk();
        for (int i = 0; i < 10; i++) {
            c.append(i * 1000L, Double.doubleToRawLongBits(Math.random()));
        }
        byte[] enc = c.toByteArray();
        XorIterator it = new XorIterator().reset(enc, 0, enc.length / 2);
        assertThrows(IllegalStateException.class, () -> {
            while (it.next()) {
                // keep decoding until the missing bytes are hit
            }
        });
    }
}
