package io.promlite.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * References handed out while a large head is created (concurrent appenders, id tables resizing
 * under them) find their series without a lookup by id, the caller keeping the references each
 * append returns, as the scrape cache does.
 */
class AppendRefTest {
    private static final int TARGETS = 100;
    private static final int SERIES = 1000;
    private static final int THREADS = 4;

    @TempDir
    Path dir;

    @Test
    void knownSeriesCostNoLookupByIdOnceTheirReferencesAreRefreshed() throws Exception {
        long[][] refs = new long[TARGETS][SERIES];
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            long[] lookups = new long[4];
            for (int scrape = 0; scrape < lookups.length; scrape++) {
                long ts = 1_700_000_000_000L + scrape * 5000L;
                List<Future<Integer>> done = new ArrayList<>();
                for (int first = 0; first < THREADS; first++) {
                    int from = first;
                    done.add(pool.submit(() -> scrapeTargets(db, refs, from, ts)));
                }
                for (Future<Integer> f : done) {
                    lookups[scrape] += f.get();
                }
            }
            assertEquals(0, lookups[0], "the first scrape creates every series");
            // Ids are placed by value, so a series keeps its slot while the id table grows.
            assertEquals(0, lookups[1], "references handed out while the id table grew still hit");
            assertEquals(0, lookups[3]);
            assertEquals(TARGETS * SERIES, db.stats().headSeries());
            try (Querier q = db.querier(0, Long.MAX_VALUE)) {
                SeriesSet set = q.select(List.of(Matcher.equal("instance", "t7"),
                        Matcher.equal("series", "999")));
                assertTrue(set.next());
                SampleIterator it = set.at().iterator();
                int n = 0;
                while (it.next()) {
                    assertEquals(999, it.value());
                    n++;
                }
                assertEquals(lookups.length, n, "every scrape's sample was appended");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void prefetchStagesNothingAndIgnoresReferencesItDoesNotKnow() throws Exception {
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            Appender app = db.appender();
            long[] refs = new long[70];
            for (int s = 0; s < 40; s++) {
                refs[s] = app.append(0, labels(0, s), 1000, s);
            }
            app.commit();
            // Unknown, stale and malformed references among the known ones, over more than one block.
            refs[40] = Long.MAX_VALUE;
            refs[41] = (1L << 62) | 5;
            refs[42] = -1;
            refs[43] = refs[3] & ((1L << 40) - 1);
            Appender next = db.appender();
            next.prefetch(refs, 0, refs.length);
            next.prefetch(refs, 60, 60);
            next.commit();
            assertEquals(40, db.stats().samplesAppended(), "a prefetch alone appends nothing");
            next = db.appender();
            next.prefetch(refs, 0, 40);
            for (int s = 0; s < 40; s++) {
                assertEquals(refs[s], next.appendKnown(refs[s], 2000, s + 1));
            }
            next.commit();
            assertEquals(80, db.stats().samplesAppended());
        }
    }

    /** Appends one scrape of every THREADS-th target as the scrape loop does; returns the lookups by id. */
    private static int scrapeTargets(Tsdb db, long[][] refs, int first, long ts) throws AppendException {
        int lookups = 0;
        for (int t = first; t < TARGETS; t += THREADS) {
            TsdbAppender app = (TsdbAppender) db.appender();
            long[] r = refs[t];
            for (int s = 0; s < SERIES; s++) {
                long known = r[s] != 0 ? app.appendKnown(r[s], ts, s) : 0;
                r[s] = known != 0 ? known : app.append(r[s], labels(t, s), ts, s);
            }
            app.commit();
            lookups += app.idLookups;
        }
        return lookups;
    }

    private static Labels labels(int t, int s) {
        return Labels.of("__name__", "m" + (s % 50), "instance", "t" + t, "series", Integer.toString(s));
    }
}
