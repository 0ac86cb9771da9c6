package io.promlite.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BodyBuffersTest {
    @Test
    void anArrayLargeEnoughIsKept() {
        byte[] a = new byte[100];
        assertSame(a, BodyBuffers.grow(a, 10, 100, 1 << 20, true));
    }

    @Test
    void aBodyOfKnownLengthSlightlyLargerThanTheLastGrowsByAnEighthNotDouble() {
        byte[] last = new byte[85_000];
        Arrays.fill(last, 0, 3, (byte) 7);
        byte[] grown = BodyBuffers.grow(last, 3, 86_000, 1 << 20, true);
        assertEquals(86_000 + 86_000 / 8, grown.length);
        assertArrayEquals(new byte[] {7, 7, 7}, Arrays.copyOf(grown, 3), "the bytes so far are kept");
    }

    @Test
    void aBodyArrivingPieceByPieceGrowsByHalfAtLeast() {
        byte[] a = new byte[0];
        int copies = 0;
        for (int length = 0; length < 10 << 20; length += 4096) {
            byte[] grown = BodyBuffers.grow(a, length, length + 4096, 64 << 20, false);
            if (grown != a) {
                copies++;
                a = grown;
            }
        }
        assertTrue(copies <= 20, "copies to reach 10 MiB in 4 KiB pieces: " + copies);
    }

    @Test
    void smallBodiesStartAtTheMinimumAndTheLimitCapsTheSlack() {
        assertEquals(16 << 10, BodyBuffers.grow(new byte[0], 0, 10, 1 << 20, true).length);
        assertEquals(100_000, BodyBuffers.grow(new byte[0], 0, 95_000, 100_000, true).length);
        assertEquals(120_000, BodyBuffers.grow(new byte[0], 0, 120_000, 100_000, true).length, "need beats the limit");
    }
}
