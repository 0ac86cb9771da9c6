package io.promlite.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.index.LongList;
import io.promlite.tsdb.index.PostingsIndex;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.store.Partitions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The head's in-memory postings against the stored index, and when selections may use them alone. */
class HeadPostingsTest {
    private static final String[] NAMES = {"job", "instance", "env", "code", "le"};
    private static final String[] VALUES = {"a", "b", "ab", "api", "200", "500", "x\u00e9", ""};
    private static final String[] PATTERNS = {"a.*", ".*", "", "a|b", "[0-9]+", ".+", "b?", "x.", "2.*|a"};
    private static final long DAY = Partitions.PARTITION_MS;
    private static final Matcher AB = Matcher.of(Matcher.Type.REGEX, "__name__", "a|b");

    @TempDir
    Path dir;

    @Test
    void headPostingsAgreeWithTheStoredIndexAcrossEvictionAndReload() throws Exception {
        Random rnd = new Random(7);
        List<Labels> all = new ArrayList<>();
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            Appender app = db.appender();
            for (int i = 0; i < 300; i++) {
                Labels l = randomLabels(rnd, i);
                app.append(0, l, rnd.nextInt(3) * DAY + rnd.nextInt(1000), 1);
                all.add(l);
            }
            app.commit();
            compare(db, rnd);

            // Half the series go idle and leave the head; the other half and new series stay.
            for (int i = 0; i < all.size(); i += 2) {
                app.append(0, all.get(i), 5 * DAY, 2);
            }
            for (int i = 300; i < 350; i++) {
                app.append(0, randomLabels(rnd, i), 5 * DAY, 2);
            }
            app.commit();
            db.checkpoint();
            assertTrue(db.stats().headSeries() < 250, "idle series were evicted");
            compare(db, rnd);

            // Evicted series come back with older ids than the newest: lists must stay sorted.
            for (int i = 1; i < all.size(); i += 4) {
                app.append(0, all.get(i), 5 * DAY + 1, 3);
            }
            app.commit();
            compare(db, rnd);
        }
    }

    /** Random selections: the head's answer is the stored one restricted to the head's series. */
    private static void compare(Tsdb db, Random rnd) {
        int nonEmpty = 0;
        for (int q = 0; q < 300; q++) {
            List<Matcher> matchers = new ArrayList<>();
            int count = 1 + rnd.nextInt(3);
            for (int k = 0; k < count; k++) {
                matchers.add(randomMatcher(rnd));
            }
            LongList stored;
            try (PostingsIndex.Reader reader = db.postings().reader()) {
                List<LongList> perPartition = new ArrayList<>();
                for (int p : db.partitions(Long.MIN_VALUE + 1, Long.MAX_VALUE)) {
                    perPartition.add(reader.select(p, matchers));
                }
                stored = LongList.union(perPartition);
            }
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < stored.size(); i++) {
                if (db.headSeries(stored.get(i)) != null) {
                    expected.add(stored.get(i));
                }
            }
            LongList head = db.headPostings().selectFrom(Long.MAX_VALUE, matchers);
            List<Long> actual = new ArrayList<>();
            for (int i = 0; i < head.size(); i++) {
                actual.add(head.get(i));
            }
            assertEquals(expected, actual, "matchers " + matchers);
            nonEmpty += actual.isEmpty() ? 0 : 1;
        }
        assertTrue(nonEmpty > 75, "the random selections should often select something, got " + nonEmpty);
    }

    @Test
    void afterReopeningOlderRangesReadTheStoredIndex() throws Exception {
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            assertEquals(Long.MIN_VALUE, db.headPostings().coversFrom(), "an empty store's head holds every series");
            TestData.appendAll(db, Labels.of("__name__", "a"), 1000);
            TestData.appendAll(db, Labels.of("__name__", "b"), 1000, 7200_000);
        }
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            assertEquals(0, db.stats().headSeries(), "the log held nothing to replay");
            assertEquals(7200_001, db.headPostings().coversFrom());
            assertNull(db.headPostings().selectFrom(7200_000, List.of(AB)));
            assertEquals(List.of("a", "b"), names(db, 0, 10_000_000));
            assertEquals(List.of("b"), names(db, 7200_000, 10_000_000));
            assertEquals(List.of(), names(db, 7200_001, 10_000_000));
        }
    }

    @Test
    void evictionMovesTheBoundAndAReturningSeriesIsFoundAgain() throws Exception {
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            TestData.appendAll(db, Labels.of("__name__", "a"), 1000);
            TestData.appendAll(db, Labels.of("__name__", "b"), 1000, 3 * Tsdb.HEAD_IDLE_MS);
            db.checkpoint();
            assertEquals(1, db.stats().headSeries(), "a was evicted");
            assertEquals(1001, db.headPostings().coversFrom(), "after a's last sample");
            assertEquals(List.of("a", "b"), names(db, 0, Long.MAX_VALUE));
            assertEquals(List.of("b"), names(db, 1001, Long.MAX_VALUE));

            TestData.appendAll(db, Labels.of("__name__", "a"), 3 * Tsdb.HEAD_IDLE_MS + 1);
            assertEquals(2, db.headPostings().selectFrom(1001, List.of(AB)).size(), "a is back in the head's postings");
            assertEquals(List.of("a", "b"), names(db, 2 * Tsdb.HEAD_IDLE_MS, Long.MAX_VALUE));
            assertEquals(List.of("a", "b"), names(db, 0, Long.MAX_VALUE));
        }
    }

    @Test
    void selectionsSeeEverySeriesCommittedBeforeThemWhileSeriesAreCreatedAndEvicted() throws Exception {
        int total = 1500;
        long step = 10_000;
        AtomicInteger committed = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            Thread writer = new Thread(() -> {
                try {
                    Appender app = db.appender();
                    for (int i = 0; i < total; i++) {
                        app.append(0, Labels.of("__name__", "m", "i", Integer.toString(i)), i * step, i);
                        app.commit();
                        committed.set(i + 1);
                        if (i % 100 == 99) {
                            // Series idle for an hour (360 steps) leave the head while selections run.
                            db.checkpoint();
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            writer.start();
            Random rnd = new Random(3);
            int selections = 0;
            while (writer.isAlive() || selections < 50) {
                int n = committed.get();
                if (n == 0) {
                    continue;
                }
                int from = n > 400 && rnd.nextBoolean() ? n - 1 - rnd.nextInt(200) : rnd.nextInt(n);
                List<Integer> seen = new ArrayList<>();
                try (Querier q = db.querier(from * step, Long.MAX_VALUE)) {
                    SeriesSet set = q.select(List.of(Matcher.equal("__name__", "m")));
                    while (set.next()) {
                        seen.add(Integer.parseInt(set.at().labels().get("i")));
                    }
                }
                seen.sort(null);
                assertTrue(seen.size() >= n - from && seen.get(0) == from,
                        "series " + from + " to " + (n - 1) + " in " + seen);
                selections++;
            }
            writer.join();
            assertNull(failure.get());
            assertTrue(db.headPostings().coversFrom() > 0, "series were evicted meanwhile");
        }
    }

    private static List<String> names(Tsdb db, long mint, long maxt) {
        List<String> out = new ArrayList<>();
        try (Querier q = db.querier(mint, maxt)) {
            SeriesSet set = q.select(List.of(AB));
            while (set.next()) {
                out.add(set.at().labels().get("__name__"));
            }
        }
        return out;
    }

    private static Labels randomLabels(Random rnd, int i) {
        Labels.Builder b = Labels.builder().set("__name__", "m" + rnd.nextInt(3));
        for (String n : NAMES) {
            if (rnd.nextInt(3) > 0) {
                b.set(n, VALUES[rnd.nextInt(VALUES.length)]);
            }
        }
        return b.set("i", Integer.toString(i)).build();
    }

    private static Matcher randomMatcher(Random rnd) {
        Matcher.Type type = Matcher.Type.values()[rnd.nextInt(4)];
        String name = rnd.nextInt(8) == 0 ? "__name__" : NAMES[rnd.nextInt(NAMES.length)];
        String value = switch (type) {
            case EQUAL, NOT_EQUAL -> name.equals("__name__") ? "m" + rnd.nextInt(4) : VALUES[rnd.nextInt(VALUES.length)];
            case REGEX, NOT_REGEX -> PATTERNS[rnd.nextInt(PATTERNS.length)];
        };
        return Matcher.of(type, name, value);
    }
}
