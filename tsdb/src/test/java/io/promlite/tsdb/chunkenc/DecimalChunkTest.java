package io.promlite.tsdb.chunkenc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.StaleNaN;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DecimalChunkTest {
    private static final long T0 = 1_700_000_000_000L;

    private static XorChunk chunkOf(long[] ts, double[] vs) {
        XorChunk c = new XorChunk();
        for (int i = 0; i < ts.length; i++) {
            c.append(ts[i], Double.doubleToRawLongBits(vs[i]));
        }
        return c;
    }

    private static long[] regular(int n) {
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) {
            ts[i] = T0 + i * 15_000L;
        }
        return ts;
    }

    private static byte[] compact(XorChunk chunk) {
        ChunkCompactor c = new ChunkCompactor().compact(chunk);
        return Arrays.copyOf(c.bytes(), c.length());
    }

    /** Compacts, checks the encoding chosen, and decodes bit-exactly from inside a larger array. */
    private static byte[] assertCompactRoundTrip(long[] ts, double[] vs, boolean expectDecimal) {
        XorChunk xor = chunkOf(ts, vs);
        byte[] enc = compact(xor);
        assertEquals(expectDecimal, DecimalChunk.isDecimal(enc[0]), "decimal encoding chosen");
        assertTrue(enc.length <= xor.length(), "never larger than XOR");
        byte[] padded = new byte[enc.length + 5];
        System.arraycopy(enc, 0, padded, 2, enc.length);
        ChunkIterator it = new ChunkIterator().reset(padded, 2, enc.length);
        assertEquals(ts.length, it.numSamples());
        for (int i = 0; i < ts.length; i++) {
            assertTrue(it.next(), "sample " + i);
            assertEquals(ts[i], it.timestamp(), "timestamp " + i);
            assertEquals(Double.doubleToRawLongBits(vs[i]), it.valueBits(), "value bits " + i + " of " + vs[i]);
        }
        assertFalse(it.next());
        // Reopening a stored chunk for appends gives back the same samples as XOR.
        XorChunk resumed = XorChunk.resume(enc, 0, enc.length);
        assertEquals(xor.length(), resumed.length());
        return enc;
    }

    @Test
    void steadyCounterCostsOnlyItsHeader() {
        double[] vs = new double[120];
        for (int i = 0; i < vs.length; i++) {
            vs[i] = 1_000_000 + i * 4096.0;
        }
        byte[] enc = assertCompactRoundTrip(regular(120), vs, true);
        assertTrue(enc.length <= 24, "encoded size " + enc.length);
    }

    @Test
    void constantCostsOnlyItsHeader() {
        double[] vs = new double[120];
        Arrays.fill(vs, 8_197_456);
        byte[] enc = assertCompactRoundTrip(regular(120), vs, true);
        assertTrue(enc.length <= 24, "encoded size " + enc.length);
    }

    @Test
    void decimalCountersAtEveryScaleRoundTrip() {
        Random rnd = new Random(3);
        for (int scale = 0; scale <= DecimalChunk.MAX_SCALE; scale++) {
            double[] vs = new double[120];
            long ticks = rnd.nextInt(1_000_000);
            for (int i = 0; i < vs.length; i++) {
                ticks += rnd.nextInt(1500);
                vs[i] = ticks / DecimalChunk.POW10[scale];
            }
            assertCompactRoundTrip(regular(120), vs, true);
        }
    }

    @Test
    void negativeGaugesHugeAndTinyDecimalsRoundTrip() {
        Random rnd = new Random(5);
        double[] vs = new double[120];
        for (int i = 0; i < vs.length; i++) {
            vs[i] = switch (i % 4) {
                case 0 -> -rnd.nextInt(1 << 30) / 10.0;
                case 1 -> 900_719_925_474_099.0 - rnd.nextInt(1000);
                case 2 -> -900_719_925_474_099.0;
                default -> 0.5 * rnd.nextInt(3);
            };
        }
        assertCompactRoundTrip(regular(120), vs, true);
        for (int i = 0; i < vs.length; i++) {
            vs[i] = rnd.nextInt(1000) / 1e9;
        }
        assertCompactRoundTrip(regular(120), vs, true);
    }

    @Test
    void counterResetsAndIrregularTimestampsRoundTrip() {
        Random rnd = new Random(7);
        long[] ts = new long[120];
        double[] vs = new double[120];
        long t = T0;
        double counter = 0;
        for (int i = 0; i < ts.length; i++) {
            t += 1 + (rnd.nextInt(10) == 0 ? rnd.nextInt(600_000) : 15_000 + rnd.nextInt(50) - 25);
            counter = rnd.nextInt(30) == 0 ? 0 : counter + rnd.nextInt(100) / 100.0;
            ts[i] = t;
            vs[i] = Math.round(counter * 100) / 100.0;
        }
        assertCompactRoundTrip(ts, vs, true);
    }

    @Test
    void extremeTimestampsWrapAndRoundTrip() {
        long[] ts = {Long.MIN_VALUE + 1, -1, 0, 5, Long.MAX_VALUE - 1, Long.MAX_VALUE};
        double[] vs = {1, 1, 1, 1, 1, 1};
        byte[] enc = compact(chunkOf(ts, vs));
        ChunkIterator it = new ChunkIterator().reset(enc, 0, enc.length);
        for (int i = 0; i < ts.length; i++) {
            assertTrue(it.next());
            assertEquals(ts[i], it.timestamp());
            assertEquals(1.0, it.value());
        }
        long[] wide = new long[120];
        double[] ones = new double[120];
        for (int i = 0; i < wide.length; i++) {
            wide[i] = Long.MIN_VALUE + 1 + i * (Long.MAX_VALUE / 60);
            ones[i] = 1;
        }
        assertCompactRoundTrip(wide, ones, true);
    }

    @Test
    void valuesThatAreNotExactDecimalsStayXor() {
        double[][] cases = {
            {1, 2, Double.NaN, 4},
            {1, 2, StaleNaN.VALUE, 4},
            {1, Double.POSITIVE_INFINITY, 3, 4},
            {1, Double.NEGATIVE_INFINITY, 3, 4},
            {1, -0.0, 3, 4},
            {1, 0.1 + 0.2, 3, 4},
            {1, 1e-10, 3, 4},
            {1, 1e17, 3, 4},
            {1, Double.MAX_VALUE, 3, 4},
            {1, Double.MIN_VALUE, 3, 4},
            // Exact at scale 0, but the 0.5 needs scale 1, where 9e16 is beyond exact integers.
            {9_000_000_000_000_000.0, 0.5, 3, 4},
        };
        for (double[] c : cases) {
            double[] vs = new double[120];
            for (int i = 0; i < vs.length; i++) {
                vs[i] = c[i % c.length];
            }
            assertCompactRoundTrip(regular(120), vs, false);
        }
    }

    @Test
    void staleMarkerAfterDecimalSamplesIsBitExact() {
        double[] vs = new double[120];
        for (int i = 0; i < vs.length; i++) {
            vs[i] = i == 119 ? StaleNaN.VALUE : i;
        }
        XorChunk xor = chunkOf(regular(120), vs);
        byte[] enc = compact(xor);
        ChunkIterator it = new ChunkIterator().reset(enc, 0, enc.length);
        for (int i = 0; i < 119; i++) {
            assertTrue(it.next());
        }
        assertTrue(it.next());
        assertEquals(StaleNaN.BITS, it.valueBits());
        assertTrue(StaleNaN.is(it.value()));
    }

    @Test
    void randomChunksRoundTripInWhicheverEncodingWins() {
        Random rnd = new Random(11);
        // One compactor for every chunk: reuse must not leak bits from a larger earlier chunk.
        ChunkCompactor compactor = new ChunkCompactor();
        int decimal = 0;
        for (int round = 0; round < 300; round++) {
            int n = 1 + rnd.nextInt(300);
            long[] ts = new long[n];
            double[] vs = new double[n];
            long t = rnd.nextLong() >> 20;
            int scale = rnd.nextInt(DecimalChunk.MAX_SCALE + 1);
            long step = rnd.nextInt(4) == 0 ? 1L << rnd.nextInt(40) : 1 + rnd.nextInt(3);
            long ticks = rnd.nextInt(1 << 20) - (1 << 19);
            for (int i = 0; i < n; i++) {
                t += 1 + (rnd.nextBoolean() ? rnd.nextInt(100) : (rnd.nextLong() >>> 30));
                ts[i] = t;
                ticks += switch (rnd.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> step;
                    case 2 -> -step * rnd.nextInt(1000);
                    default -> step * rnd.nextInt(1 << 20);
                };
                vs[i] = ticks / DecimalChunk.POW10[scale];
                if (rnd.nextInt(200) == 0) {
                    vs[i] = rnd.nextBoolean() ? StaleNaN.VALUE : rnd.nextGaussian();
                }
            }
            ChunkCompactor c = compactor.compact(chunkOf(ts, vs));
            byte[] enc = Arrays.copyOf(c.bytes(), c.length());
            decimal += DecimalChunk.isDecimal(enc[0]) ? 1 : 0;
            ChunkIterator it = new ChunkIterator().reset(enc, 0, enc.length);
            for (int i = 0; i < n; i++) {
                assertTrue(it.next());
                assertEquals(ts[i], it.timestamp(), "round " + round + " timestamp " + i);
                assertEquals(Double.doubleToRawLongBits(vs[i]), it.valueBits(), "round " + round + " value " + i);
            }
            assertFalse(it.next());
        }
        assertTrue(decimal > 100, "decimal chunks among random ones: " + decimal);
    }

    @Test
    void everyFieldWidthRoundTrips() {
        // Value deltas of every width 1..55 (the largest a 2^53-bounded scaled value allows),
        // both signs, and timestamp delta-of-deltas of every width up to 58.
        int n = 2 + 2 * 55;
        long[] ts = new long[n];
        double[] vs = new double[n];
        long ticks = 0;
        long t = -1;
        for (int i = 0; i < n; i++) {
            int w = Math.min(1 + i / 2, 52);
            ticks = (i % 2 == 0 ? 1 : -1) * ((1L << (w - 1)) + i);
            vs[i] = ticks;
            t += 1 + (1L << Math.min(i / 2, 56));
            ts[i] = t;
        }
        assertCompactRoundTrip(ts, vs, true);
    }

    @Test
    void truncatedDecimalChunkIsReportedNotMisread() {
        double[] vs = new double[120];
        for (int i = 0; i < vs.length; i++) {
            vs[i] = i * 37 % 101;
        }
        byte[] enc = compact(chunkOf(regular(120), vs));
        assertTrue(DecimalChunk.isDecimal(enc[0]));
        ChunkIterator it = new ChunkIterator().reset(enc, 0, enc.length / 2);
        assertThrows(IllegalStateException.class, () -> {
            while (it.next()) {
                // keep decoding until the missing bytes are hit
            }
        });
    }

    @Test
    void damagedSampleCountIsReportedNotMisread() {
        double[] vs = new double[120];
        Arrays.fill(vs, 5);
        byte[] enc = compact(chunkOf(regular(120), vs));
        assertEquals(120, enc[1]);
        // A count of 2^21 (varint bytes ff ff 7f): a constant chunk would otherwise yield them all.
        byte[] damaged = new byte[enc.length + 2];
        damaged[0] = enc[0];
        damaged[1] = (byte) 0xff;
        damaged[2] = (byte) 0xff;
        damaged[3] = 0x7f;
        System.arraycopy(enc, 2, damaged, 4, enc.length - 2);
        assertThrows(IllegalStateException.class, () -> new ChunkIterator().reset(damaged, 0, damaged.length));
    }

    @Test
    void randomlyDamagedChunksFailOrEndButNeverRunAway() {
        Random rnd = new Random(17);
        double[] vs = new double[120];
        for (int i = 0; i < vs.length; i++) {
            vs[i] = i % 3 == 0 ? 7 : i * 0.25;
        }
        byte[] enc = compact(chunkOf(regular(120), vs));
        for (int round = 0; round < 2000; round++) {
            byte[] damaged = enc.clone();
            damaged[1 + rnd.nextInt(damaged.length - 1)] ^= (byte) (1 << rnd.nextInt(8));
            try {
                ChunkIterator it = new ChunkIterator().reset(damaged, 0, damaged.length);
                int n = 0;
                while (it.next()) {
                    n++;
                }
                assertTrue(n <= 0x7fff);
            } catch (IllegalStateException expected) {
                // reported as damaged
            }
        }
    }

    @Test
    void columnCodingPicksTheCheapestFields() {
        FieldCoding c = new FieldCoding();
        // All equal: no fields, just the header (offset flag, base 7 as one varint byte, w2).
        assertEquals(1 + 8 + 7, c.choose(new long[] {7, 7, 7, 7}, 4));
        assertEquals(0, c.w2);
        assertTrue(c.offset);
        assertEquals(7, c.base);
        // All zero: signed, no base.
        assertEquals(1 + 7, c.choose(new long[] {0, 0, 0, 0}, 4));
        assertFalse(c.offset);
        // Mostly zero: a 1-bit zero bucket and "10" + 4 bits for the 5 (signed width 4).
        assertEquals(1 + 21 + 3 + 6, c.choose(new long[] {0, 0, 0, 5}, 4));
        assertFalse(c.offset);
        assertEquals(0, c.w0);
        assertEquals(4, c.w2);
        // Counter deltas 8..15: unsigned offsets from 8 need 3 bits, signed values 5.
        long[] deltas = new long[100];
        for (int i = 0; i < deltas.length; i++) {
            deltas[i] = 8 + i % 8;
        }
        long bits = c.choose(deltas, deltas.length);
        assertTrue(c.offset);
        assertEquals(8, c.base);
        assertEquals(3, c.w2);
        // Uniform: one width, no prefixes.
        assertEquals(3, c.w0);
        assertEquals(100 * 3 + 1 + 8 + 21, bits);
        assertEquals(2, FieldCoding.signedWidth(1));
        assertEquals(1, FieldCoding.signedWidth(-1));
        assertEquals(64, FieldCoding.signedWidth(Long.MIN_VALUE));
        assertEquals(0, FieldCoding.signedWidth(0));
        assertEquals(64, FieldCoding.unsignedWidth(-1));
    }

    @Test
    void columnsRoundTripThroughTheirCoding() {
        Random rnd = new Random(13);
        FieldCoding enc = new FieldCoding();
        FieldCoding dec = new FieldCoding();
        BitReader in = new BitReader();
        for (int round = 0; round < 200; round++) {
            int len = rnd.nextInt(150);
            long[] col = new long[len];
            long center = rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(100);
            int spread = rnd.nextInt(64);
            for (int i = 0; i < len; i++) {
                col[i] = rnd.nextInt(5) == 0 ? rnd.nextLong() : center + (spread == 0 ? 0 : rnd.nextLong() >> (64 - spread));
            }
            long bits = enc.choose(col, len);
            BitWriter out = new BitWriter(16, 0);
            enc.writeHeader(out);
            for (long x : col) {
                out.ensureBits(66);
                enc.write(out, x);
            }
            assertTrue((out.length() - 1) * 8L < bits && bits <= out.length() * 8L, "size estimate " + bits);
            in.reset(out.buffer(), 0, out.length());
            dec.readHeader(in);
            for (int i = 0; i < len; i++) {
                assertEquals(col[i], dec.read(in), "round " + round + " value " + i);
            }
        }
    }
}
