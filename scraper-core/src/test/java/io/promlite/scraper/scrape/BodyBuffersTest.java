package io.promlite.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BodyBuffersTest {
    @Test
    void anArrayLargeEnoughIsKept() {
        byte[] a = new byte[100];
        assertSame(a, BodyBuffers.grow(a, 10, 100, 1 << 20));
    }

    @Test
    void aBodySlightlyLargerThanTheLastGrowsByAnEighthNotDouble() {
        byte[] last = new byte[85_000];
        Arrays.fill(last, 0, 3, (byte) 7);
        byte[] grown = BodyBuffers.grow(last, 3, 86_000, 1 << 20);
        assertEquals(86_000 + 86_000 / 8, grown.length);
        assertArrayEquals(new byte[] {7, 7, 7}, Arrays.copyOf(grown, 3), "the bytes so far are kept");
    }

    @Test
    void smallBodiesStartAtTheMinimumAndTheLimitCapsTheSlack() {
        assertEquals(16 << 10, BodyBuffers.grow(new byte[0], 0, 10, 1 << 20).length);
        assertEquals(100_000, BodyBuffers.grow(new byte[0], 0, 95_000, 100_000).length);
        assertEquals(120_000, BodyBuffers.grow(new byte[0], 0, 120_000, 100_000).length, "need beats the limit");
    }
}
