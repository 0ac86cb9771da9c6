package io.promlite.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.promlite.tsdb.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesCacheTest {
    private final SeriesCache cache = new SeriesCache();

    private SeriesCache.Entry read(String raw, Labels labels) {
        byte[] b = ("xx" + raw + "yy").getBytes(StandardCharsets.UTF_8);
        SeriesCache.Entry e = cache.get(b, 2, b.length - 2);
        return e != null ? e : cache.add(b, 2, b.length - 2, labels);
    }

    private List<Labels> commit() {
        List<Labels> gone = new ArrayList<>();
        cache.commitIteration(e -> gone.add(e.labels));
        return gone;
    }

    @Test
    void findsKnownSeriesByRawBytesAndForgetsUnseenOnes() {
        Labels a = Labels.of("__name__", "a");
        cache.beginIteration();
        SeriesCache.Entry first = read("a", a);
        first.ref = 7;
        for (int i = 0; i < 1000; i++) {
            read("m{i=\"" + i + "\"}", Labels.of("__name__", "m", "i", "" + i));
        }
        assertEquals(List.of(), commit());
        assertEquals(1001, cache.size());

        cache.beginIteration();
        SeriesCache.Entry again = read("a", null);
        assertSame(first, again);
        assertEquals(7, again.ref);
        assertEquals(1000, commit().size(), "the unseen series are gone");
        assertEquals(1, cache.size());

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
        SeriesCache.Entry fresh = read("b", Labels.of("__name__", "b"));
        fresh.ref = 9;
        List<Labels> gone = new ArrayList<>();
        cache.abortIteration(e -> gone.add(e.labels));
        assertEquals(List.of(a), gone);
        byte[] b = "b".getBytes(StandardCharsets.UTF_8);
        assertNull(cache.get(b, 0, 1), "a series only a failed scrape read is forgotten");

        cache.beginIteration();
        assertNotNull(read("a", a));
        assertEquals(List.of(), commit(), "already marked when the scrape failed");
    }

    @Test
    void droppedSeriesAreCachedButNeverReported() {
        cache.beginIteration();
        assertNull(read("dropped", null).labels);
        commit();
        cache.beginIteration();
        assertEquals(List.of(), commit());
    }
}
