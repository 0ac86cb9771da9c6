package io.promlite.tsdb.chunkenc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Function;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * How a head chunk's buffer grows over a first chunk of scraped values: few copies, few of them
 * outgrown late (those are promoted and die in the old generation), little spare room at the end.
 */
class ChunkGrowthTest {
    private static final long T0 = 1_700_000_000_000L;
    /** A young collection about every 30 s on the ingest bench: 6 samples 5 s apart. */
    private static final int SAMPLES_PER_YOUNG_GC = 6;

    /** The value shapes of an exporter's series, as the bench farm makes them: sample index -> value. */
    private enum Shape {
        CONSTANT(r -> i -> 1),
        FAST_COUNTER(r -> {
            long[] v = {r.nextInt(1_000_000) * 1000L};
            return i -> v[0] += (long) (40_000 * r.nextDouble() + r.nextDouble());
        }),
        SLOW_COUNTER(r -> {
            long[] v = {r.nextInt(100_000)};
            return i -> v[0] += (long) (20 * r.nextDouble() + r.nextDouble());
        }),
        RARE_COUNTER(r -> {
            long[] v = {r.nextInt(5)};
            return i -> v[0] += r.nextDouble() < 0.05 ? 1 : 0;
        }),
        CPU_SECONDS(r -> {
            long[] ticks = {r.nextInt(10_000_000)};
            return i -> (ticks[0] += (long) (200 * r.nextDouble() + r.nextDouble())) / 100.0;
        }),
        MEMORY_GAUGE(r -> {
            long[] v = {(long) r.nextInt(1 << 20) * 4096};
            return i -> v[0] += 4096L * (r.nextInt(129) - 64);
        }),
        NOISY_GAUGE(r -> i -> 1e-3 * (0.5 + r.nextDouble()));

        private final Function<Random, IntToDoubleFunction> model;

        Shape(Function<Random, IntToDoubleFunction> model) {
            this.model = model;
        }

        /** A chunk's worth of value bits. */
        long[] values(long seed) {
            IntToDoubleFunction value = model.apply(new Random(seed));
            long[] out = new long[XorChunk.TARGET_SAMPLES];
            for (int i = 0; i < out.length; i++) {
                out[i] = Double.doubleToRawLongBits(value.applyAsDouble(i));
            }
            return out;
        }
    }

    /** An open chunk as a head series holds one. */
    private static final class OpenChunk extends XorEncoder {
        int buffers;
        /** Bytes of buffers outgrown after living through a young collection, weighted by the odds they did. */
        double promotedGarbage;
        private int born;

        void append(int i, long bits) {
            byte[] before = chunkBytes();
            appendSample(T0 + i * 5_000L, bits);
            byte[] after = chunkBytes();
            if (after != before) {
                buffers++;
                if (before != null) {
                    promotedGarbage += (16 + before.length) * Math.min(1.0, (double) (i - born) / SAMPLES_PER_YOUNG_GC);
                }
                born = i;
            }
        }

        int capacity() {
            return chunkBytes().length;
        }

        int used() {
            return chunkLength();
        }
    }

    @Test
    void aFirstChunkOfScrapedValuesTakesFewBuffersAndEndsNearlyFull() {
        double promoted = 0;
        int used = 0;
        for (Shape shape : Shape.values()) {
            for (long seed = 1; seed <= 20; seed++) {
                OpenChunk c = new OpenChunk();
                int largest = 0;
                for (long bits : shape.values(seed)) {
                    c.append(c.sampleCount(), bits);
                    largest = Math.max(largest, c.capacity());
                }
                String at = shape + " seed " + seed + ": " + c.buffers + " buffers, " + c.capacity() + " for " + c.used()
                        + " bytes, at most " + largest;
                // Doubling toward a prediction that counted the first sample in took up to 7, and a
                // constant series outgrew its first buffer.
                assertTrue(c.buffers <= (shape == Shape.CONSTANT ? 1 : 4), at);
                // Spare room is paid for every active series, and kept across cuts.
                assertTrue(c.capacity() - c.used() <= c.used() / 8 + 16, at);
                assertTrue(largest <= c.used() * 5 / 4 + 16, at);
                promoted += c.promotedGarbage;
                used += c.used();
            }
        }
        // Doubling toward a prediction that counted the first sample in: 144 bytes per 100 of chunk.
        assertTrue(promoted <= used, "promoted " + promoted + " bytes of outgrown buffers for chunks of " + used);
    }
}
