package io.promlite.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyArenaTest {
    private final KeyArena arena = new KeyArena(4);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private int find(String key) {
        byte[] b = bytes("<" + key + ">");
        return arena.find(b, 1, b.length - 1);
    }

    private int add(String key) {
        byte[] b = bytes("<" + key + ">");
        return arena.add(b, 1, b.length - 1);
    }

    @Test
    void numbersKeysInOrderAndFindsThemByContent() {
        for (int i = 0; i < 3000; i++) {
            assertEquals(i, add("key-" + i + "-".repeat(i % 17)));
        }
        for (int i = 0; i < 3000; i++) {
            assertEquals(i, find("key-" + i + "-".repeat(i % 17)));
        }
        assertEquals(KeyArena.ABSENT, find("key-1"));
        assertEquals(KeyArena.ABSENT, find(""));
        assertEquals(3000, add(""), "the empty key is a key like any other");
        assertEquals(3000, find(""));
    }

    @Test
    void retainCompactsInOrderAndReportsEveryMove() {
        for (int i = 0; i < 1000; i++) {
            add("k" + i);
        }
        Map<Integer, Integer> moves = new HashMap<>();
        arena.retain(k -> k % 3 == 0, moves::put);
        arena.trim();
        assertEquals(334, arena.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i % 3 == 0 ? i / 3 : KeyArena.ABSENT, find("k" + i));
        }
        assertEquals(333, moves.size(), "every kept key but the first moved");
        assertEquals(1, moves.get(3));
        assertEquals(333, moves.get(999));
        assertEquals(334, add("new"));
        assertEquals(334, find("new"));
    }
}
