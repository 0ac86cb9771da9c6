package io.promlite.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.promlite.tsdb.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesCacheTest {
    private final SeriesCache cache = new SeriesCache();

    private int read(String raw, Labels labels) {
        byte[] b = ("xx" + raw + "yy").getBytes(StandardCharsets.UTF_8);
        int s = cache.get(b, 2, b.length - 2);
        return s != SeriesCache.ABSENT ? s : cache.add(b, 2, b.length - 2, labels);
    }

    private List<Labels> commit() {
        List<Labels> gone = new ArrayList<>();
        cache.commitIteration(s -> gone.add(cache.labels(s)));
        return gone;
    }

    private List<Labels> live() {
        List<Labels> live = new ArrayList<>();
        cache.forEachLive(s -> live.add(cache.labels(s)));
        return live;
    }

    @Test
    void findsKnownSeriesByRawBytesAndForgetsUnseenOnes() {
        Labels a = Labels.of("__name__", "a");
        cache.beginIteration();
        cache.setRef(read("a", a), 7);
        for (int i = 0; i < 1000; i++) {
            read("m{i=\"" + i + "\"}", Labels.of("__name__", "m", "i", "" + i));
        }
        assertEquals(List.of(), commit());
        assertEquals(1001, cache.size());

        cache.beginIteration();
        int again = read("a", null);
        assertEquals(a, cache.labels(again));
        assertEquals(7, cache.ref(again));
        assertEquals(1000, commit().size(), "the unseen series are gone");
        assertEquals(1, cache.size());
        assertEquals(List.of(a), live());
        byte[] gone = "m{i=\"5\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(SeriesCache.ABSENT, cache.get(gone, 0, gone.length));
        byte[] kept = "a".getBytes(StandardCharsets.UTF_8);
        assertEquals(7, cache.ref(cache.get(kept, 0, kept.length)), "compacting keeps the survivor's ref");
        commit();

        cache.beginIteration();
        assertEquals(List.of(a), commit());
        assertEquals(0, cache.size());
    }

    @Test
    void aSeriesUnderAnotherSpellingIsNotGone() {
        Labels ab = Labels.of("__name__", "m", "a", "1", "b", "2");
        cache.beginIteration();
        read("m{a=\"1\",b=\"2\"}", ab);
        commit();
        cache.beginIteration();
        read("m{b=\"2\",a=\"1\"}", ab);
        assertEquals(List.of(), commit());
    }

    @Test
    void anAbortedScrapeReportsThePreviousSeriesAndForgetsNewOnes() {
        Labels a = Labels.of("__name__", "a");
        cache.beginIteration();
        read("a", a);
        commit();
        cache.beginIteration();
        cache.setRef(read("b", Labels.of("__name__", "b")), 9);
        List<Labels> gone = new ArrayList<>();
        cache.abortIteration(s -> gone.add(cache.labels(s)));
        assertEquals(List.of(a), gone);
        assertEquals(List.of(), live(), "a failed scrape wrote nothing");
        byte[] b = "b".getBytes(StandardCharsets.UTF_8);
        assertEquals(SeriesCache.ABSENT, cache.get(b, 0, 1), "a series only a failed scrape read is forgotten");

        cache.beginIteration();
        assertEquals(a, cache.labels(read("a", a)));
        assertEquals(List.of(), commit(), "already marked when the scrape failed");
    }

    @Test
    void droppedSeriesAreCachedButNeverReported() {
        cache.beginIteration();
        assertNull(cache.labels(read("dropped", null)));
        commit();
        cache.beginIteration();
        assertEquals(List.of(), commit());
    }

    @Test
    void seriesWithOwnTimestampsAreNeverReportedGone() {
        cache.beginIteration();
        cache.setOwnTimestamps(read("t", Labels.of("__name__", "t")), true);
        commit();
        cache.beginIteration();
        assertEquals(List.of(), commit());
    }

    @Test
    void aScrapeThatBrokeOffWroteNothing() {
        Labels a = Labels.of("__name__", "a");
        cache.beginIteration();
        read("a", a);
        commit();
        cache.beginIteration();
        read("a", a);
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
            cache.setRef(read("metric_with_a_long_name{instance=\"" + i + "\",job=\"x\"}", Labels.of("__name__", "m", "i", "" + i)), i + 1);
        }
        commit();
        cache.beginIteration();
        for (int i = 0; i < 5000; i += 100) {
            assertEquals(i + 1, cache.ref(read("metric_with_a_long_name{instance=\"" + i + "\",job=\"x\"}", null)));
        }
        assertEquals(4950, commit().size());
        cache.beginIteration();
        for (int i = 0; i < 5000; i += 100) {
            assertEquals(i + 1, cache.ref(read("metric_with_a_long_name{instance=\"" + i + "\",job=\"x\"}", null)));
        }
        assertEquals(List.of(), commit());
        assertEquals(50, cache.size());
    }

    @Test
    void findsSeriesWhateverTheOrderOfTheLines() {
        cache.beginIteration();
        for (int i = 0; i < 100; i++) {
            cache.setRef(read("s" + i, Labels.of("__name__", "s" + i)), 1000 + i);
        }
        commit();
        cache.beginIteration();
        // Reversed, then in order with gaps: every read misses the guess at the next series or hits it.
        for (int i = 99; i >= 0; i -= 2) {
            assertEquals(1000 + i, cache.ref(read("s" + i, null)));
        }
        for (int i = 0; i < 100; i += 2) {
            assertEquals(1000 + i, cache.ref(read("s" + i, null)));
        }
        assertEquals(List.of(), commit());
        assertEquals(100, cache.size());
    }
}
