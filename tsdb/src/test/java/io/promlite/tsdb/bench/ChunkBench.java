package io.promlite.tsdb.bench;

import io.promlite.tsdb.chunkenc.ChunkCompactor;
import io.promlite.tsdb.chunkenc.ChunkIterator;
import io.promlite.tsdb.chunkenc.XorChunk;
import io.promlite.tsdb.chunkenc.XorIterator;
import java.util.Arrays;
import java.util.Random;

/**
 * Encode and decode speed and size of chunks on scrape-like data (15s ± jitter): the head's XOR
 * appends, the compaction to the stored form (decimal when smaller), and decoding either. Run by
 * hand: {@code java -cp <test classpath> io.promlite.tsdb.bench.ChunkBench}.
 */
public final class ChunkBench {
    private static final int CHUNKS = 2_000;
    private static final int N = XorChunk.TARGET_SAMPLES;

    private ChunkBench() {
    }

    public static void main(String[] args) {
        Random rnd = new Random(1);
        long[][] ts = new long[CHUNKS][N];
        long[][] vs = new long[CHUNKS][N];
        for (int c = 0; c < CHUNKS; c++) {
            long t = 1_700_000_000_000L + c;
            int kind = c % 3;
            double v = rnd.nextInt(1000);
            long ticks = rnd.nextInt(1_000_000);
            for (int i = 0; i < N; i++) {
                t += 15_000 + (rnd.nextInt(10) == 0 ? rnd.nextInt(20) - 10 : 0);
                ticks += rnd.nextInt(1500);
                // Integer counters, decimal counters at 0.01 (CPU seconds), full-precision gauges.
                v = switch (kind) {
                    case 0 -> v + rnd.nextInt(100);
                    case 1 -> ticks / 100.0;
                    default -> rnd.nextGaussian() * 100;
                };
                ts[c][i] = t;
                vs[c][i] = Double.doubleToRawLongBits(v);
            }
        }
        XorChunk[] xor = new XorChunk[CHUNKS];
        byte[][] stored = new byte[CHUNKS][];
        long samples = (long) CHUNKS * N;
        ChunkCompactor compactor = new ChunkCompactor();
        // Best of the rounds per figure: the machine is shared, the minimum is the least noisy.
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        for (int round = 0; round < 30; round++) {
            long start = System.nanoTime();
            long xorBytes = 0;
            for (int c = 0; c < CHUNKS; c++) {
                XorChunk chunk = new XorChunk(200);
                for (int i = 0; i < N; i++) {
                    chunk.append(ts[c][i], vs[c][i]);
                }
                xor[c] = chunk;
                xorBytes += chunk.length();
            }
            long appendNs = System.nanoTime() - start;

            start = System.nanoTime();
            long storedBytes = 0;
            for (int c = 0; c < CHUNKS; c++) {
                compactor.compact(xor[c]);
                stored[c] = Arrays.copyOf(compactor.bytes(), compactor.length());
                storedBytes += stored[c].length;
            }
            long compactNs = System.nanoTime() - start;

            start = System.nanoTime();
            long checksum = 0;
            XorIterator xit = new XorIterator();
            for (int c = 0; c < CHUNKS; c++) {
                xit.reset(xor[c].bytes(), 0, xor[c].length());
                while (xit.next()) {
                    checksum += xit.timestamp() ^ xit.valueBits();
                }
            }
            long decodeXorNs = System.nanoTime() - start;

            start = System.nanoTime();
            ChunkIterator it = new ChunkIterator();
            for (int c = 0; c < CHUNKS; c++) {
                it.reset(stored[c], 0, stored[c].length);
                while (it.next()) {
                    checksum -= it.timestamp() ^ it.valueBits();
                }
            }
            long decodeStoredNs = System.nanoTime() - start;
            double[] ns = {appendNs, decodeXorNs, compactNs, decodeStoredNs};
            for (int k = 0; k < ns.length; k++) {
                best[k] = Math.min(best[k], ns[k] / samples);
            }
            System.out.printf("xor: append %.1f ns/sample, decode %.1f ns/sample, %.2f B/sample | "
                            + "stored: compact %.1f ns/sample, decode %.1f ns/sample, %.2f B/sample (checksum %d)%n",
                    (double) appendNs / samples, (double) decodeXorNs / samples, (double) xorBytes / samples,
                    (double) compactNs / samples, (double) decodeStoredNs / samples,
                    (double) storedBytes / samples, checksum);
        }
        System.out.printf("best: xor append %.1f, xor decode %.1f, compact %.1f, stored decode %.1f ns/sample%n",
                best[0], best[1], best[2], best[3]);
    }
}
