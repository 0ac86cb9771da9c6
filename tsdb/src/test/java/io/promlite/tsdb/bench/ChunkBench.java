package io.promlite.tsdb.bench;

import io.promlite.tsdb.chunkenc.XorChunk;
import io.promlite.tsdb.chunkenc.XorIterator;
import java.util.Random;

/**
 * Encode and decode throughput of XOR chunks on scrape-like data (15s ± jitter, counters and
 * gauges). Run by hand: {@code java -cp <test classpath> io.promlite.tsdb.bench.ChunkBench}.
 */
public final class ChunkBench {
    private ChunkBench() {
    }

    public static void main(String[] args) {
        int chunks = 2_000;
        Random rnd = new Random(1);
        long[][] ts = new long[chunks][XorChunk.TARGET_SAMPLES];
        long[][] vs = new long[chunks][XorChunk.TARGET_SAMPLES];
        for (int c = 0; c < chunks; c++) {
            long t = 1_700_000_000_000L + c;
            double v = rnd.nextInt(1000);
            boolean counter = rnd.nextBoolean();
            for (int i = 0; i < XorChunk.TARGET_SAMPLES; i++) {
                t += 15_000 + (rnd.nextInt(10) == 0 ? rnd.nextInt(20) - 10 : 0);
                v = counter ? v + rnd.nextInt(100) : rnd.nextGaussian() * 100;
                ts[c][i] = t;
                vs[c][i] = Double.doubleToRawLongBits(v);
            }
        }
        byte[][] encoded = new byte[chunks][];
        long samples = (long) chunks * XorChunk.TARGET_SAMPLES;
        for (int round = 0; round < 10; round++) {
            long start = System.nanoTime();
            long bytes = 0;
            for (int c = 0; c < chunks; c++) {
                XorChunk chunk = new XorChunk(200);
                for (int i = 0; i < XorChunk.TARGET_SAMPLES; i++) {
                    chunk.append(ts[c][i], vs[c][i]);
                }
                encoded[c] = chunk.toByteArray();
                bytes += encoded[c].length;
            }
            long encodeNs = System.nanoTime() - start;
            start = System.nanoTime();
            long checksum = 0;
            XorIterator it = new XorIterator();
            for (int c = 0; c < chunks; c++) {
                it.reset(encoded[c], 0, encoded[c].length);
                while (it.next()) {
                    checksum += it.timestamp() ^ it.valueBits();
                }
            }
            long decodeNs = System.nanoTime() - start;
            System.out.printf("encode %.1f ns/sample, decode %.1f ns/sample, %.2f B/sample (checksum %d)%n",
                    (double) encodeNs / samples, (double) decodeNs / samples, (double) bytes / samples, checksum);
        }
    }
}
