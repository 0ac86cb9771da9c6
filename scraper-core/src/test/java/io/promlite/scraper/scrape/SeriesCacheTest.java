package io.promlite.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Series are raw texts; the refs a test sets stand for what the store returned for their label sets. */
class SeriesCacheTest {
    private final SeriesCache cache = new SeriesCache();

    /** Reads a series as a scrape line would: found, or added as a series relabeling keeps. */
    private int read(String raw) {
        return read(raw, false);
    }

    private int read(String raw, boolean dropped) {
        byte[] b = ("xx" + raw + "yy").getBytes(StandardCharsets.UTF_8);
        int s = cache.get(b, 2, b.length - 2);
        return s != SeriesCache.ABSENT ? s : cache.add(b, 2, b.length - 2, dropped);
    }

    /** Reads a series and records the ref the store accepted its sample under. */
    private int write(String raw, long ref) {
        int s = read(raw);
        cache.setRef(s, ref);
        return s;
    }

    private String raw(int series) {
        int length = cache.loadKey(series);
        return new String(cache.loadedKey(), 0, length, StandardCharsets.UTF_8);
    }

    private List<String> commit() {
        List<String> gone = new ArrayList<>();
        cache.commitIteration(s -> gone.add(raw(s)));
        return gone;
    }

    private List<String> live() {
        List<String> live = new ArrayList<>();
        cache.forEachLive(s -> live.add(raw(s)));
        return live;
    }

    @Test
    void findsKnownSeriesByRawBytesAndForgetsUnseenOnes() {
        cache.beginIteration();
        write("a", 7);
        for (int i = 0; i < 1000; i++) {
            write("m{i=\"" + i + "\"}", 100 + i);
        }
        assertEquals(List.of(), commit());
        assertEquals(1001, cache.size());

        cache.beginIteration();
        int again = read("a");
        assertEquals("a", raw(again));
        assertEquals(7, cache.ref(again));
        List<String> gone = commit();
        assertEquals(1000, gone.size(), "the unseen series are gone");
        assertEquals("m{i=\"0\"}", gone.get(0), "gone series are passed with their raw text");
        assertEquals(1, cache.size());
        assertEquals(List.of("a"), live());
        byte[] forgotten = "m{i=\"5\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(SeriesCache.ABSENT, cache.get(forgotten, 0, forgotten.length));
        byte[] kept = "a".getBytes(StandardCharsets.UTF_8);
        int survivor = cache.get(kept, 0, kept.length);
        assertEquals(7, cache.ref(survivor), "compacting keeps the survivor's ref");
        assertEquals("a", raw(survivor), "and its raw text");
        commit();

        cache.beginIteration();
        assertEquals(List.of("a"), commit());
        assertEquals(0, cache.size());
    }

    @Test
    void aSeriesUnderAnotherSpellingIsNotGone() {
        cache.beginIteration();
        write("m{a=\"1\",b=\"2\"}", 5);
        commit();
        cache.beginIteration();
        write("m{b=\"2\",a=\"1\"}", 5);
        assertEquals(List.of(), commit());
    }

    @Test
    void aLabelSetUnderTwoVanishedSpellingsIsReportedOnce() {
        cache.beginIteration();
        write("m{a=\"1\",b=\"2\"}", 5);
        write("m{b=\"2\",a=\"1\"}", 5);
        write("n", 6);
        commit();
        cache.beginIteration();
        write("n", 6);
        assertEquals(List.of("m{a=\"1\",b=\"2\"}"), commit());

        cache.beginIteration();
        write("m{a=\"1\",b=\"2\"}", 5);
        write("m{b=\"2\",a=\"1\"}", 5);
        commit();
        assertEquals(List.of("m{a=\"1\",b=\"2\"}"), live(), "live label sets are listed once");
        cache.beginIteration();
        List<String> gone = new ArrayList<>();
        cache.abortIteration(s -> gone.add(raw(s)));
        assertEquals(List.of("m{a=\"1\",b=\"2\"}"), gone, "a failed scrape reports each label set once");
    }

    @Test
    void anAbortedScrapeReportsThePreviousSeriesAndForgetsNewOnes() {
        cache.beginIteration();
        write("a", 3);
        commit();
        cache.beginIteration();
        write("b", 9);
        List<String> gone = new ArrayList<>();
        cache.abortIteration(s -> gone.add(raw(s)));
        assertEquals(List.of("a"), gone);
        assertEquals(List.of(), live(), "a failed scrape wrote nothing");
        byte[] b = "b".getBytes(StandardCharsets.UTF_8);
        assertEquals(SeriesCache.ABSENT, cache.get(b, 0, 1), "a series only a failed scrape read is forgotten");

        cache.beginIteration();
        assertEquals(3, cache.ref(read("a")));
        assertEquals(List.of(), commit(), "already marked when the scrape failed");
    }

    @Test
    void droppedSeriesAreCachedButNeverReported() {
        cache.beginIteration();
        assertTrue(cache.dropped(read("dropped", true)));
        assertFalse(cache.dropped(read("kept")));
        commit();
        cache.beginIteration();
        assertTrue(cache.dropped(read("dropped")), "still known as dropped");
        commit();
        cache.beginIteration();
        assertEquals(List.of(), commit());
    }

    @Test
    void seriesTheStoreNeverAcceptedAreNotReportedGone() {
        cache.beginIteration();
        read("rejected");
        write("accepted", 4);
        commit();
        cache.beginIteration();
        assertEquals(List.of("accepted"), commit());
    }

    @Test
    void seriesWithOwnTimestampsAreNeverReportedGone() {
        cache.beginIteration();
        cache.setOwnTimestamps(write("t", 2), true);
        commit();
        cache.beginIteration();
        assertEquals(List.of(), commit());
    }

    @Test
    void aScrapeThatBrokeOffWroteNothing() {
        cache.beginIteration();
        write("a", 1);
        commit();
        cache.beginIteration();
        read("a");
        // Neither committed nor aborted: the next scrape must not count this one's reads.
        cache.beginIteration();
        assertEquals(List.of(), live());
        assertEquals(List.of(), commit(), "the broken scrape did not write a, so it is not gone");
        assertEquals(0, cache.size());
    }

    @Test
    void manyLongKeysSurviveGrowthAndShrinking() {
        cache.beginIteration();
        for (int i = 0; i < 5000; i++) {
            write("metric_with_a_long_name{instance=\"" + i + "\",job=\"x\"}", i + 1);
        }
        commit();
        cache.beginIteration();
        for (int i = 0; i < 5000; i += 100) {
            assertEquals(i + 1, cache.ref(read("metric_with_a_long_name{instance=\"" + i + "\",job=\"x\"}")));
        }
        assertEquals(4950, commit().size());
        cache.beginIteration();
        for (int i = 0; i < 5000; i += 100) {
            int s = read("metric_with_a_long_name{instance=\"" + i + "\",job=\"x\"}");
            assertEquals(i + 1, cache.ref(s));
            assertEquals("metric_with_a_long_name{instance=\"" + i + "\",job=\"x\"}", raw(s));
        }
        assertEquals(List.of(), commit());
        assertEquals(50, cache.size());
    }

    @Test
    void findsSeriesWhateverTheOrderOfTheLines() {
        cache.beginIteration();
        for (int i = 0; i < 100; i++) {
            write("s" + i, 1000 + i);
        }
        commit();
        cache.beginIteration();
        // Reversed, then in order with gaps: every read misses the guess at the next series or hits it.
        for (int i = 99; i >= 0; i -= 2) {
            assertEquals(1000 + i, cache.ref(read("s" + i)));
        }
        for (int i = 0; i < 100; i += 2) {
            assertEquals(1000 + i, cache.ref(read("s" + i)));
        }
        assertEquals(List.of(), commit());
        assertEquals(100, cache.size());
    }
}
