package io.promlite.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PromSizesTest {
    @Test
    void parsesBase2Units() {
        assertEquals(0, PromSizes.parse("0"));
        assertEquals(512, PromSizes.parse("512B"));
        assertEquals(10 * 1024, PromSizes.parse("10KB"));
        assertEquals(10 * 1024, PromSizes.parse("10KiB"));
        assertEquals(1536L * 1024, PromSizes.parse("1.5MB"));
        assertEquals(1L << 30, PromSizes.parse("1GB"));
    }

    @Test
    void rejectsMalformed() {
        for (String s : new String[] {"", "10", "10kb", "MB", "-1MB", "1 MB"}) {
            assertEquals("not a valid size: \"" + s + "\"",
                    assertThrows(IllegalArgumentException.class, () -> PromSizes.parse(s)).getMessage());
        }
    }
}
