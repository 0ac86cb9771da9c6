package io.promlite.tsdb;

import static io.promlite.tsdb.TestData.select;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.TestData.Point;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.model.StaleNaN;
import io.promlite.tsdb.store.ChunkCodec;
import io.promlite.tsdb.store.ChunkCodec.StoredChunk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

/**
 * Chunks are stored in whichever encoding is smaller (decimal or XOR): series of every kind read
 * back bit-exactly from memory and disk, across reopen, seeks, further appends and deletions.
 */
class MixedChunkEncodingTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final int SAMPLES = 300;
    private static final Matcher ALL = Matcher.equal("job", "node");

    @TempDir
    Path dir;
    Tsdb db;
    final Map<Labels, List<Point>> expected = new LinkedHashMap<>();

    @BeforeEach
    void open() throws TsdbException {
        db = Tsdb.open(TsdbOptions.defaults(dir));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void reopen() throws TsdbException {
        db.close();
        db = Tsdb.open(TsdbOptions.defaults(dir));
    }

    private static Labels series(String name) {
        return Labels.of("__name__", name, "job", "node");
    }

    /** Appends sample {@code i} of every series (one scrape), remembering what was written. */
    private void scrape(int from, int to, Random rnd) throws AppendException {
        for (int i = from; i < to; i++) {
            long t = T0 + i * 15_000L + (i % 7 == 0 ? rnd.nextInt(20) : 0);
            Appender app = db.appender();
            add(app, series("cpu_seconds_total"), t, (1_234_567 + i * 150L + rnd.nextInt(40)) / 100.0);
            add(app, series("constant"), t, 8_197_456);
            add(app, series("duration_seconds"), t, rnd.nextDouble() * 0.3);
            add(app, series("heap_bytes"), t, 4096.0 * (1000 + rnd.nextInt(50)));
            add(app, series("flapping"), t, i % 50 == 49 ? StaleNaN.VALUE : -i);
            app.commit();
        }
    }

    private void add(Appender app, Labels labels, long t, double v) throws AppendException {
        app.append(0, labels, t, v);
        expected.computeIfAbsent(labels, l -> new ArrayList<>()).add(Point.of(t, v));
    }

    private Map<Labels, List<Point>> readAll() {
        return select(db, Long.MIN_VALUE, Long.MAX_VALUE, ALL);
    }

    private void assertAllReadBack() {
        Map<Labels, List<Point>> got = readAll();
        assertEquals(expected.keySet(), got.keySet());
        for (Labels l : expected.keySet()) {
            assertEquals(expected.get(l), got.get(l), l.toString());
        }
    }

    /** Counts the stored chunks by encoding: [decimal, xor]. */
    private int[] storedEncodings() {
        int[] counts = new int[2];
        try (RocksIterator it = db.store().db().newIterator(db.store().chunks())) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                StoredChunk c = StoredChunk.of(ChunkCodec.minTime(it.key()), it.value());
                counts[(c.data()[c.offset()] & 0x80) != 0 ? 0 : 1]++;
            }
        }
        return counts;
    }

    @Test
    void everySeriesReadsBackBitExactFromMemoryAndDiskAcrossReopen() throws Exception {
        Random rnd = new Random(1);
        scrape(0, SAMPLES, rnd);
        assertAllReadBack();
        reopen();
        assertAllReadBack();
        int[] encodings = storedEncodings();
        assertTrue(encodings[0] >= 6, "decimal chunks stored: " + encodings[0]);
        assertTrue(encodings[1] >= 4, "xor chunks stored: " + encodings[1]);

        // The reopened last chunks take further samples, then everything is stored again.
        scrape(SAMPLES, SAMPLES + 100, rnd);
        assertAllReadBack();
        reopen();
        assertAllReadBack();
    }

    @Test
    void seeksLandInsideStoredDecimalChunks() throws Exception {
        scrape(0, SAMPLES, new Random(2));
        reopen();
        List<Point> want = expected.get(series("cpu_seconds_total"));
        try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(List.of(Matcher.equal("__name__", "cpu_seconds_total")));
            assertTrue(set.next());
            SampleIterator it = set.at().iterator();
            for (int i : new int[] {0, 37, 119, 120, 121, 200, 299}) {
                assertTrue(it.seek(want.get(i).t() - 1));
                assertEquals(want.get(i), new Point(it.timestamp(), Double.doubleToRawLongBits(it.value())));
            }
            assertFalse(it.seek(want.get(SAMPLES - 1).t() + 1));
        }
    }

    @Test
    void deletingARangeRewritesStoredDecimalChunks() throws Exception {
        scrape(0, SAMPLES, new Random(3));
        reopen();
        long from = T0 + 50 * 15_000L;
        long to = T0 + 170 * 15_000L;
        db.deleteSeries(from, to, List.of(Matcher.equal("job", "node")));
        for (List<Point> points : expected.values()) {
            points.removeIf(p -> p.t() >= from && p.t() <= to);
        }
        assertAllReadBack();
        reopen();
        assertAllReadBack();
    }

    @Test
    void checkpointsStoreOpenChunksRawAndCutsAndCloseCompactThem() throws Exception {
        Random rnd = new Random(4);
        // 130 samples: one cut chunk (120) and an open one (10) per series.
        scrape(0, 130, rnd);
        db.checkpoint();
        int[] encodings = storedEncodings();
        assertEquals(10, encodings[0] + encodings[1], "a cut and an open chunk per series");
        // Cut chunks of decimal-friendly series (e.g. "constant") are compacted; open ones stay raw XOR.
        assertTrue(encodings[0] >= 2, "compacted cut chunks: " + encodings[0]);
        assertTrue(encodings[1] >= 5, "raw open chunks: " + encodings[1]);
        int cutDecimal = encodings[0];
        assertAllReadBack();

        // Further samples reach the raw-stored open chunks; the next checkpoint rewrites them raw.
        scrape(130, 150, rnd);
        db.checkpoint();
        assertEquals(cutDecimal, storedEncodings()[0]);
        assertAllReadBack();

        // Closing stores the open chunks compacted: they read back the same after reopening.
        reopen();
        assertTrue(storedEncodings()[0] > cutDecimal, "open chunks compacted at close: " + storedEncodings()[0]);
        assertAllReadBack();
        scrape(150, 260, rnd);
        assertAllReadBack();
        reopen();
        assertAllReadBack();
    }
}
