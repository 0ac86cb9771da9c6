package io.promlite.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The querier reads chunks lazily, in batches, from memory and from RocksDB. */
class TsdbQuerierTest {
    /** More than one load batch of series (the first holds 1024). */
    private static final int SERIES = 1030;
    private static final int STORED = 130;
    private static final int LIVE = 20;
    private static final long STEP = 15_000;

    @TempDir
    Path dir;
    Tsdb db;

    @BeforeEach
    void open() throws TsdbException {
        db = Tsdb.open(TsdbOptions.defaults(dir));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static Labels series(int s) {
        return Labels.of("__name__", "m", "s", String.format("%04d", s));
    }

    private void append(int seriesCount, int from, int to) throws AppendException {
        for (int t = from; t < to; t++) {
            Appender app = db.appender();
            for (int s = 0; s < seriesCount; s++) {
                app.append(0, series(s), t * STEP, s * 1000 + t);
            }
            app.commit();
        }
    }

    @Test
    void readsStoredAndInMemoryChunksOfEverySeriesInLabelOrder() throws Exception {
        append(SERIES, 0, STORED);
        db.close();
        db = Tsdb.open(TsdbOptions.defaults(dir));
        append(SERIES, STORED, STORED + LIVE);
        long mint = 10 * STEP;
        long maxt = (STORED + LIVE) * STEP;
        try (Querier q = db.querier(mint, maxt)) {
            SeriesSet set = q.select(List.of(Matcher.equal("__name__", "m")));
            for (int s = 0; s < SERIES; s++) {
                assertTrue(set.next(), "series " + s);
                assertEquals(series(s), set.at().labels());
                SampleIterator it = set.at().iterator();
                for (int t = 10; t < STORED + LIVE; t++) {
                    assertTrue(it.next(), "series " + s + " sample " + t);
                    assertEquals(t * STEP, it.timestamp());
                    assertEquals(s * 1000 + t, it.value());
                }
                assertFalse(it.next());
            }
            assertFalse(set.next());
        }
    }

    /** Iterators share a spare decoder per thread; interleaved and abandoned ones must not disturb each other. */
    @Test
    void interleavedAndAbandonedIteratorsDecodeIndependently() throws Exception {
        append(2, 0, 400);
        try (Querier q = db.querier(0, 400 * STEP)) {
            SeriesSet set = q.select(List.of(Matcher.equal("__name__", "m")));
            assertTrue(set.next());
            Series first = set.at();
            assertTrue(set.next());
            Series second = set.at();
            SampleIterator abandoned = first.iterator();
            assertTrue(abandoned.next());
            SampleIterator a = first.iterator();
            SampleIterator b = second.iterator();
            for (int t = 0; t < 400; t++) {
                assertTrue(a.next());
                assertTrue(b.next());
                assertEquals(t, a.value());
                assertEquals(1000 + t, b.value());
                if (t == 200) {
                    // An exhausted iterator hands its decoder on; a fresh one takes it mid-way.
                    SampleIterator c = second.iterator();
                    while (c.next()) {
                        assertEquals(1000 + c.timestamp() / STEP, c.value());
                    }
                }
            }
            assertFalse(a.next());
            assertFalse(b.next());
            // The one left half-way still holds its own decoder and resumes where it was.
            assertTrue(abandoned.next());
            assertEquals(1, abandoned.value());
        }
    }

    @Test
    void seriesWithoutSamplesInRangeAreLeftOut() throws Exception {
        append(SERIES, 0, 10);
        Appender app = db.appender();
        app.append(0, series(SERIES), 100 * STEP, 1);
        app.commit();
        try (Querier q = db.querier(50 * STEP, 200 * STEP)) {
            SeriesSet set = q.select(List.of(Matcher.equal("__name__", "m")));
            assertTrue(set.next());
            assertEquals(series(SERIES), set.at().labels());
            assertFalse(set.next());
        }
    }

    @Test
    void seriesStartingAfterTheRangeAreLeftOut() throws Exception {
        append(2, 0, 10);
        Appender app = db.appender();
        app.append(0, series(2), 100 * STEP, 1);
        app.commit();
        try (Querier q = db.querier(0, 50 * STEP)) {
            SeriesSet set = q.select(List.of(Matcher.equal("__name__", "m")));
            assertTrue(set.next());
            assertEquals(series(0), set.at().labels());
            assertTrue(set.next());
            assertEquals(series(1), set.at().labels());
            assertFalse(set.next());
        }
    }

    /**
     * Chunks are snapshotted batch by batch as the select is consumed: series of a later batch
     * whose cut chunks a checkpoint moved from memory to the store meanwhile, and which took new
     * samples, still yield exactly the samples of the range, each once.
     */
    @Test
    void seriesCheckpointedWhileTheSelectIsConsumedAreReadWhole() throws Exception {
        append(SERIES, 0, STORED);
        long maxt = (STORED + LIVE) * STEP;
        try (Querier q = db.querier(0, maxt)) {
            SeriesSet set = q.select(List.of(Matcher.equal("__name__", "m")));
            assertTrue(set.next());
            db.checkpoint();
            append(SERIES, STORED, STORED + LIVE);
            for (int s = 1; s < SERIES; s++) {
                assertTrue(set.next(), "series " + s);
                assertEquals(series(s), set.at().labels());
                SampleIterator it = set.at().iterator();
                int t = 0;
                while (it.next()) {
                    assertEquals(t * STEP, it.timestamp(), "series " + s);
                    assertEquals(s * 1000 + t, it.value());
                    t++;
                }
                // The first batch was snapshotted before the new samples; later ones may see them.
                assertEquals(s < 1024 ? STORED : STORED + LIVE, t, "series " + s);
            }
            assertFalse(set.next());
        }
    }
}
