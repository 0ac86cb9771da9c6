package io.promlite.tsdb.bench;

import io.promlite.tsdb.chunkenc.XorChunk;
import io.promlite.tsdb.chunkenc.XorEncoder;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a head series' chunk buffer costs the garbage collector and memory while it grows, on the
 * ingest bench's values: the buffers each chunk allocates, those of them that were outgrown after
 * living through a young collection (promoted, then dead in the old generation), and the spare
 * room the series holds. Deterministic: it counts arrays, it does not time anything.
 *
 * <p>Input: the values of the bench farm's series, written by {@code seriesgen_values.py} beside
 * this file ({@code python3 seriesgen_values.py <farm bench dir> 5 360 values.bin}: 5 targets of
 * 1000 series, 360 scrapes). Each series is appended as a head series appends it, one sample every
 * 5 s at the scrape slot, cut every {@link XorChunk#TARGET_SAMPLES} samples. Run by hand:
 * {@code java -cp <test classpath> io.promlite.tsdb.bench.ChunkGrowthBench values.bin}.
 *
 * <p>Promotion model: a young collection every 30 s (6 samples), as on the ingest bench at 100k
 * series; a buffer outgrown after living {@code s} samples survived one with probability
 * {@code min(1, s / 6)}, and a survivor is promoted (the survivor spaces overflow at once).
 */
public final class ChunkGrowthBench {
    private static final long T0 = 1_700_000_000_000L;
    private static final long INTERVAL_MS = 5_000;
    private static final int SAMPLES_PER_YOUNG_GC = 6;
    /** An array's header on a 64-bit JVM with compressed pointers, counted with its length. */
    private static final int ARRAY_HEADER = 16;
    /** Samples into the first chunk where the ingest bench measures memory (4.5 min) and its CPU window. */
    private static final int MEMORY_AT = 54;
    private static final int WINDOW_FROM = 12;

    private ChunkGrowthBench() {
    }

    /** An open chunk as a head series holds one: kept across cuts. */
    private static final class OpenChunk extends XorEncoder {
        void append(long t, long bits) {
            appendSample(t, bits);
        }

        void cut() {
            cutChunk();
        }

        byte[] buffer() {
            return chunkBytes();
        }

        int used() {
            return chunkLength();
        }
    }

    public static void main(String[] args) throws IOException {
        double[][] values;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(Path.of(args[0]))))) {
            int series = in.readInt();
            int steps = in.readInt();
            values = new double[series][steps];
            for (double[] v : values) {
                for (int k = 0; k < steps; k++) {
                    v[k] = in.readDouble();
                }
            }
        }
        int chunks = values[0].length / XorChunk.TARGET_SAMPLES;
        long[] buffers = new long[chunks];
        long[] allocated = new long[chunks];
        double[] promoted = new double[chunks];
        long[] slack = new long[chunks];
        long[] used = new long[chunks];
        int maxFirstChunkBuffers = 0;
        long capacityAt = 0;
        long usedAt = 0;
        long windowCapacity = 0;
        for (double[] v : values) {
            OpenChunk open = new OpenChunk();
            int firstChunkBuffers = 0;
            for (int c = 0; c < chunks; c++) {
                int born = 0;
                for (int i = 0; i < XorChunk.TARGET_SAMPLES; i++) {
                    int k = c * XorChunk.TARGET_SAMPLES + i;
                    byte[] before = open.buffer();
                    open.append(T0 + k * INTERVAL_MS, Double.doubleToRawLongBits(v[k]));
                    byte[] after = open.buffer();
                    if (after != before) {
                        buffers[c]++;
                        allocated[c] += ARRAY_HEADER + after.length;
                        if (before != null) {
                            promoted[c] += (ARRAY_HEADER + before.length) * Math.min(1.0, (double) (i - born) / SAMPLES_PER_YOUNG_GC);
                        }
                        born = i;
                        if (c == 0) {
                            firstChunkBuffers++;
                        }
                    }
                    if (c == 0 && i + 1 >= WINDOW_FROM && i + 1 <= MEMORY_AT) {
                        windowCapacity += after.length;
                    }
                    if (c == 0 && i + 1 == MEMORY_AT) {
                        capacityAt += after.length;
                        usedAt += open.used();
                    }
                }
                slack[c] += open.buffer().length - open.used();
                used[c] += open.used();
                byte[] kept = open.buffer();
                open.cut();
                if (c + 1 < chunks && open.buffer() != kept) {
                    // Replaced at the cut (the chunk used less than half of it): the next chunk's allocation.
                    buffers[c + 1]++;
                    allocated[c + 1] += ARRAY_HEADER + open.buffer().length;
                }
            }
            maxFirstChunkBuffers = Math.max(maxFirstChunkBuffers, firstChunkBuffers);
        }
        double n = values.length;
        System.out.printf("%d series, %d chunks of %d samples each; per series:%n", values.length, chunks, XorChunk.TARGET_SAMPLES);
        System.out.println("chunk  buffers  allocated B  promoted outgrown B  used B  spare room at end B");
        for (int c = 0; c < chunks; c++) {
            System.out.printf("%5d  %7.2f  %11.0f  %19.0f  %6.0f  %19.1f%n", c + 1, buffers[c] / n, allocated[c] / n,
                    promoted[c] / n, used[c] / n, slack[c] / n);
        }
        System.out.printf("first chunk: at most %d buffers for a series; at sample %d a buffer of %.0f B for %.0f B used;"
                        + " mean buffer over samples %d-%d %.0f B%n",
                maxFirstChunkBuffers, MEMORY_AT, capacityAt / n, usedAt / n, WINDOW_FROM, MEMORY_AT,
                windowCapacity / n / (MEMORY_AT - WINDOW_FROM + 1));
    }
}
