package io.promlite.tsdb;

import static io.promlite.tsdb.TestData.select;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.TestData.Point;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.model.StaleNaN;
import io.promlite.tsdb.store.Partitions;
import io.promlite.tsdb.store.RocksStore;
import io.promlite.tsdb.store.WalReplay;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsdbTest {
    private static final Labels UP_A = Labels.of("__name__", "up", "job", "a", "instance", "h1:9100");
    private static final Labels UP_B = Labels.of("__name__", "up", "job", "b", "instance", "h2:9100");
    private static final Labels LOAD = Labels.of("__name__", "load", "job", "a");
    private static final Matcher ANY_UP = Matcher.equal("__name__", "up");

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

    private void reopen() throws TsdbException {
        db.close();
        db = Tsdb.open(TsdbOptions.defaults(dir));
    }

    /**
     * A stopped store is fully in table files: its write-ahead log has nothing to replay. (WAL
     * files kept for reuse may remain, holding records of their previous use that recovery skips.)
     */
    @Test
    void cleanCloseLeavesNoWriteAheadLog() throws Exception {
        TestData.appendAll(db, UP_A, 1000, 2000, 3000);
        TestData.appendAll(db, LOAD, 1000, 2000, 3000);
        db.close();
        assertEquals(0, WalReplay.entriesReplayedOnOpen(dir), "write-ahead log records left after a clean close");
        db = Tsdb.open(TsdbOptions.defaults(dir));
        assertEquals(3, select(db, 0, 3000, ANY_UP).get(UP_A).size());
    }

    /**
     * Commits reuse one write batch; one larger than the kept size (here ~2 MiB of new series and
     * postings) is replaced, and the commits after it still write everything.
     */
    @Test
    void commitsAroundAnOversizedWriteBatchKeepEverySample() throws Exception {
        int n = 8000;
        String padding = "x".repeat(100);
        List<Labels> series = new ArrayList<>();
        Appender big = db.appender();
        for (int i = 0; i < n; i++) {
            Labels l = Labels.of("__name__", "wide", "i", Integer.toString(i), "pad", padding + i);
            series.add(l);
            big.append(0, l, 1000, i);
        }
        big.commit();
        for (long t = 2000; t <= 3000; t += 1000) {
            Appender small = db.appender();
            for (int i = 0; i < n; i += 1000) {
                small.append(0, series.get(i), t, i + t);
            }
            small.commit();
        }
        for (int open = 0; open < 2; open++) {
            Map<Labels, List<Point>> got = select(db, 0, 3000, Matcher.equal("__name__", "wide"));
            assertEquals(n, got.size());
            for (int i = 0; i < n; i++) {
                List<Point> points = got.get(series.get(i));
                assertEquals(i % 1000 == 0 ? 3 : 1, points.size(), "samples of series " + i);
                assertEquals(i, Double.longBitsToDouble(points.get(0).bits()));
            }
            reopen();
        }
    }

    @Test
    void selectsByEveryMatcherTypeSortedByLabels() throws Exception {
        TestData.appendAll(db, UP_B, 1000);
        TestData.appendAll(db, UP_A, 1000);
        TestData.appendAll(db, LOAD, 1000);

        assertEquals(List.of(UP_A, UP_B), List.copyOf(select(db, 0, 2000, ANY_UP).keySet()));
        assertEquals(List.of(UP_B), List.copyOf(select(db, 0, 2000, ANY_UP,
                Matcher.of(Matcher.Type.NOT_EQUAL, "job", "a")).keySet()));
        assertEquals(List.of(UP_A, UP_B), List.copyOf(select(db, 0, 2000,
                Matcher.of(Matcher.Type.REGEX, "instance", "h.:9100")).keySet()));
        assertEquals(List.of(LOAD, UP_B), List.copyOf(select(db, 0, 2000,
                Matcher.of(Matcher.Type.NOT_REGEX, "instance", "h1.*")).keySet()));
        // Matching the empty string selects series lacking the label.
        assertEquals(List.of(LOAD), List.copyOf(select(db, 0, 2000, Matcher.equal("instance", "")).keySet()));
        assertEquals(List.of(LOAD), List.copyOf(select(db, 0, 2000,
                Matcher.of(Matcher.Type.REGEX, "instance", "|nomatch")).keySet()));
        assertEquals(List.of(LOAD, UP_A, UP_B), List.copyOf(select(db, 0, 2000,
                Matcher.of(Matcher.Type.NOT_EQUAL, "job", "")).keySet()));
        assertTrue(select(db, 0, 2000, Matcher.equal("job", "zzz")).isEmpty());
    }

    @Test
    void returnsOnlySamplesAndSeriesWithinTheRange() throws Exception {
        TestData.appendAll(db, UP_A, 1000, 2000, 3000, 4000);
        TestData.appendAll(db, UP_B, 10_000);

        Map<Labels, List<Point>> r = select(db, 2000, 3000, ANY_UP);
        assertEquals(List.of(UP_A), List.copyOf(r.keySet()));
        assertEquals(List.of(Point.of(2000, 2.0), Point.of(3000, 3.0)), r.get(UP_A));
        assertEquals(List.of(UP_B), List.copyOf(select(db, 5000, 20_000, ANY_UP).keySet()));
        assertTrue(select(db, 4001, 9999, ANY_UP).isEmpty());
    }

    @Test
    void iteratorSeeksForward() throws Exception {
        TestData.appendAll(db, UP_A, 1000, 2000, 3000);
        try (Querier q = db.querier(0, 5000)) {
            SeriesSet set = q.select(List.of(ANY_UP));
            assertTrue(set.next());
            SampleIterator it = set.at().iterator();
            assertTrue(it.seek(1500));
            assertEquals(2000, it.timestamp());
            assertTrue(it.seek(1000));
            assertEquals(2000, it.timestamp(), "seek never moves backwards");
            assertTrue(it.next());
            assertEquals(3000, it.timestamp());
            assertEquals(false, it.seek(3001));
        }
    }

    @Test
    void seriesSpanningSeveralDaysIsReadAcrossPartitions() throws Exception {
        long day = Partitions.PARTITION_MS;
        TestData.appendAll(db, UP_A, day - 1000, day, 3 * day + 5);
        TestData.appendAll(db, UP_B, 2 * day);
        assertEquals(List.of(Point.of(day - 1000, (day - 1000) / 1000.0), Point.of(day, day / 1000.0),
                Point.of(3 * day + 5, (3 * day + 5) / 1000.0)), select(db, 0, 4 * day, ANY_UP).get(UP_A));
        assertEquals(List.of(UP_B), List.copyOf(select(db, 2 * day, 2 * day + 1, ANY_UP).keySet()));
        try (Querier q = db.querier(2 * day, 2 * day + 1)) {
            assertEquals(List.of("b"), q.labelValues("job", List.of()));
        }
    }

    /**
     * Timestamps millions of years apart are stored and read back without walking the empty days
     * between them. Retention is measured from the newest sample, so it is set to cover the span:
     * with the default, the task that runs at open would rightly drop the older samples.
     */
    @Test
    void extremeTimestampsAreStoredAndQueriedQuickly() throws Exception {
        db.close();
        TsdbOptions keepAll = new TsdbOptions(dir, Duration.ofMillis(Long.MAX_VALUE), 0, new PrometheusRegistry());
        db = Tsdb.open(keepAll);
        Appender app = db.appender();
        app.append(0, UP_A, -1_000_000_000_000_000_000L, 1);
        app.append(0, UP_A, -1, 2);
        app.append(0, UP_A, 1_000_000_000_000_000_000L, 3);
        app.commit();
        List<Point> expected = List.of(Point.of(-1_000_000_000_000_000_000L, 1), Point.of(-1, 2),
                Point.of(1_000_000_000_000_000_000L, 3));
        assertEquals(expected, select(db, Long.MIN_VALUE, Long.MAX_VALUE, ANY_UP).get(UP_A));
        db.close();
        db = Tsdb.open(keepAll);
        assertEquals(expected, select(db, Long.MIN_VALUE, Long.MAX_VALUE, ANY_UP).get(UP_A));
        try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            assertEquals(List.of("a"), q.labelValues("job", List.of()));
        }
    }

    @Test
    void labelNamesAndValues() throws Exception {
        TestData.appendAll(db, UP_A, 1000);
        TestData.appendAll(db, UP_B, 1000);
        TestData.appendAll(db, LOAD, 1000);
        try (Querier q = db.querier(0, 2000)) {
            assertEquals(List.of("__name__", "instance", "job"), q.labelNames(List.of()));
            assertEquals(List.of("__name__", "job"), q.labelNames(List.of(Matcher.equal("__name__", "load"))));
            assertEquals(List.of("load", "up"), q.labelValues("__name__", List.of()));
            assertEquals(List.of("a"), q.labelValues("job", List.of(Matcher.equal("__name__", "load"))));
            assertEquals(List.of("h1:9100", "h2:9100"), q.labelValues("instance", List.of()));
            assertEquals(List.of(), q.labelValues("nope", List.of()));
        }
        // Names and values are listed per day partition, as Prometheus lists them per block.
        try (Querier q = db.querier(Partitions.PARTITION_MS, 2 * Partitions.PARTITION_MS)) {
            assertEquals(List.of(), q.labelNames(List.of()));
        }
    }

    @Test
    void survivesCloseAndReopen() throws Exception {
        TestData.appendAll(db, UP_A, 1000, 2000);
        TestData.appendAll(db, LOAD, 1500);
        reopen();
        assertEquals(List.of(Point.of(1000, 1.0), Point.of(2000, 2.0)), select(db, 0, 3000, ANY_UP).get(UP_A));
        assertEquals(1000, db.stats().minTime());
        assertEquals(2000, db.stats().maxTime());

        // The last committed sample is remembered: order checks still apply, new ids do not collide.
        Appender app = db.appender();
        assertThrows(AppendException.class, () -> app.append(0, UP_A, 1500, 1));
        long idA = app.append(0, UP_A, 3000, 3);
        long idB = app.append(0, UP_B, 3000, 3);
        assertNotEquals(idA, idB);
        app.commit();
        assertEquals(3, select(db, 0, 5000, ANY_UP).get(UP_A).size());
        assertEquals(List.of(UP_A, UP_B), List.copyOf(select(db, 0, 5000, ANY_UP).keySet()));
    }

    @Test
    void commitIsAllOrNothingAndRollbackDiscards() throws Exception {
        Appender app = db.appender();
        app.append(0, UP_A, 1000, 1);
        app.append(0, UP_B, 1000, 1);
        assertTrue(select(db, 0, 2000, ANY_UP).isEmpty(), "nothing visible before commit");
        app.rollback();
        app.commit();
        assertTrue(select(db, 0, 2000, ANY_UP).isEmpty());
        assertEquals(0, db.stats().samplesAppended());

        app.append(0, UP_A, 1000, 1);
        app.append(0, UP_B, 1000, 1);
        app.commit();
        assertEquals(2, select(db, 0, 2000, ANY_UP).size());
        assertEquals(2, db.stats().samplesAppended());
    }

    @Test
    void appliesPrometheusAppendRules() throws Exception {
        Appender app = db.appender();
        long ref = app.append(0, UP_A, 2000, 1.5);
        app.commit();

        AppendException ooo = assertThrows(AppendException.class, () -> app.append(ref, UP_A, 1999, 1));
        assertEquals(AppendException.Reason.OUT_OF_ORDER, ooo.reason());
        AppendException dup = assertThrows(AppendException.class, () -> app.append(ref, UP_A, 2000, 2.5));
        assertEquals(AppendException.Reason.DUPLICATE, dup.reason());
        assertEquals(ref, app.append(ref, UP_A, 2000, 1.5), "same timestamp and value is a no-op");
        // A rejected sample does not spoil the rest of the batch.
        app.append(ref, UP_A, 3000, 3);
        app.commit();
        assertEquals(List.of(Point.of(2000, 1.5), Point.of(3000, 3)), select(db, 0, 5000, ANY_UP).get(UP_A));
    }

    @Test
    void samplesStagedBehindACommittedOneAreDroppedAtCommit() throws Exception {
        Appender slow = db.appender();
        slow.append(0, UP_A, 1000, 1);
        Appender fast = db.appender();
        fast.append(0, UP_A, 2000, 2);
        fast.commit();
        slow.commit();
        assertEquals(List.of(Point.of(2000, 2)), select(db, 0, 5000, ANY_UP).get(UP_A));
    }

    @Test
    void staleMarkersAndNaNPayloadsAreStoredBitExact() throws Exception {
        double otherNaN = Double.longBitsToDouble(0x7ff8000000000abcL);
        Appender app = db.appender();
        app.append(0, UP_A, 1000, Double.NaN);
        app.append(0, UP_A, 2000, StaleNaN.VALUE);
        app.append(0, UP_A, 3000, otherNaN);
        app.append(0, UP_A, 4000, Double.NEGATIVE_INFINITY);
        app.append(0, UP_A, 5000, -0.0);
        app.commit();
        reopen();
        List<Point> points = select(db, 0, 9000, ANY_UP).get(UP_A);
        assertEquals(List.of(Point.of(1000, Double.NaN), new Point(2000, StaleNaN.BITS),
                new Point(3000, 0x7ff8000000000abcL), Point.of(4000, Double.NEGATIVE_INFINITY),
                Point.of(5000, -0.0)), points);
        // A stale marker followed by the same marker at the same timestamp is a no-op, not a duplicate.
        db.appender().append(0, UP_A, 5000, -0.0);
    }

    @Test
    void refFastPathReturnsTheSameSeries() throws Exception {
        Appender app = db.appender();
        long ref = app.append(0, UP_A, 1000, 1);
        assertEquals(ref, app.append(ref, UP_A, 2000, 2));
        assertEquals(ref, app.append(0, Labels.of("job", "a", "instance", "h1:9100", "__name__", "up"), 3000, 3));
        app.commit();
        assertEquals(3, select(db, 0, 5000, ANY_UP).get(UP_A).size());
    }

    @Test
    void deleteSeriesRemovesSamplesInRangeOfMatchingSeries() throws Exception {
        TestData.appendAll(db, UP_A, 1000, 2000, 3000);
        TestData.appendAll(db, UP_B, 1000, 2000, 3000);
        db.deleteSeries(1500, 2500, List.of(Matcher.equal("job", "a")));
        Map<Labels, List<Point>> r = select(db, 0, 5000, ANY_UP);
        assertEquals(List.of(Point.of(1000, 1), Point.of(3000, 3)), r.get(UP_A));
        assertEquals(3, r.get(UP_B).size());
        db.deleteSeries(Long.MIN_VALUE, Long.MAX_VALUE, List.of(Matcher.equal("job", "b")));
        assertEquals(List.of(UP_A), List.copyOf(select(db, 0, 5000, ANY_UP).keySet()));
    }

    @Test
    void concurrentAppendersDoNotLoseSamples() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                futures.add(pool.submit(() -> {
                    for (int batch = 0; batch < 50; batch++) {
                        Appender app = db.appender();
                        for (int s = 0; s < 20; s++) {
                            app.append(0, Labels.of("__name__", "m", "w", "" + worker, "s", "" + s),
                                    batch * 1000L, batch);
                        }
                        app.commit();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        Map<Labels, List<Point>> r = select(db, 0, 100_000, Matcher.equal("__name__", "m"));
        assertEquals(80, r.size());
        r.values().forEach(points -> assertEquals(50, points.size()));
        assertEquals(4000, db.stats().samplesAppended());
        assertEquals(80, db.stats().headSeries());
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsReportedAsLocked() {
        TsdbException e = assertThrows(TsdbException.class, () -> Tsdb.open(TsdbOptions.defaults(dir)));
        assertEquals(TsdbException.Kind.LOCKED, e.kind());
        assertTrue(e.getMessage().startsWith("data directory " + dir + " is locked by another running promlite"),
                e.getMessage());
    }

    /**
     * The commit log's record forms all replay: a scrape's (one timestamp, series in id order),
     * one with timestamps of its own and series out of id order, and values of every coding.
     */
    @Test
    void commitsOfEveryShapeReplayFromTheLog() throws Exception {
        double[] values = {0, 17, 1e9, 12.34, Math.PI, StaleNaN.VALUE, -0.0, Double.NaN};
        Appender scrape = db.appender();
        for (int i = 0; i < 40; i++) {
            scrape.append(0, Labels.of("__name__", "m", "i", Integer.toString(i)), 10_000, values[i % values.length]);
        }
        scrape.commit();
        Appender own = db.appender();
        for (int i = 39; i >= 0; i -= 3) {
            own.append(0, Labels.of("__name__", "m", "i", Integer.toString(i)), 20_000 + i, values[(i + 3) % values.length]);
        }
        own.append(0, UP_A, 20_500, 1);
        own.commit();
        Map<Labels, List<Point>> before = select(db, 0, 100_000, Matcher.of(Matcher.Type.REGEX, "__name__", ".+"));
        Path snapshot = dir.resolveSibling(dir.getFileName() + "-replay");
        db.snapshot(snapshot);
        try (Tsdb replayed = Tsdb.open(TsdbOptions.defaults(snapshot))) {
            assertEquals(before, select(replayed, 0, 100_000, Matcher.of(Matcher.Type.REGEX, "__name__", ".+")));
        }
        assertEquals(41, before.size());
    }

    @Test
    void aMalformedLogRecordIsReportedAsCorrupt() throws Exception {
        TestData.appendAll(db, UP_A, 1000);
        db.close();
        try (RocksStore store = RocksStore.open(dir, false)) {
            // Past the last checkpoint, where replay reads.
            byte[] key = new byte[8];
            io.promlite.tsdb.store.ByteCodec.putLong(key, 0, 1L << 40);
            store.db().put(store.log(), key, new byte[] {(byte) 0x80});
        }
        TsdbException e = assertThrows(TsdbException.class, () -> Tsdb.open(TsdbOptions.defaults(dir)));
        assertEquals(TsdbException.Kind.CORRUPT, e.kind(), e.getMessage());
        db = Tsdb.open(TsdbOptions.defaults(dir.resolve("fresh")));
    }

    @Test
    void damagedDataIsReportedAsCorrupt() throws Exception {
        db.close();
        Files.writeString(dir.resolve("CURRENT"), "garbage-without-newline", StandardCharsets.UTF_8);
        TsdbException e = assertThrows(TsdbException.class, () -> Tsdb.open(TsdbOptions.defaults(dir)));
        assertEquals(TsdbException.Kind.CORRUPT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("is corrupt"), e.getMessage());
        db = Tsdb.open(TsdbOptions.defaults(dir.resolve("fresh")));
    }
}
