package io.promlite.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.store.ChunkCodec;
import io.promlite.tsdb.store.ChunkCodec.StoredChunk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

/**
 * Start timestamps round-trip through every path a sample takes: the head, chunks cut and
 * persisted at commit, the commit log replayed on open, checkpointed open chunks reopened and
 * appended to, and series deletion. Series without them store plain chunks.
 */
class StartTimestampStorageTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long STEP = 15_000;
    private static final Matcher ALL = Matcher.equal("job", "otel");

    @TempDir
    Path dir;
    Tsdb db;
    final Map<Labels, List<Sample>> expected = new LinkedHashMap<>();

    record Sample(long t, double v, long st) {
    }

    @BeforeEach
    void open() throws TsdbException {
        db = Tsdb.open(TsdbOptions.defaults(dir));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static Labels series(String name) {
        return Labels.of("__name__", name, "job", "otel");
    }

    /** Appends samples {@code from..to} of each kind of series, one commit per step. */
    private void write(int from, int to) throws AppendException {
        for (int i = from; i < to; i++) {
            long t = time(i);
            Appender app = db.appender();
            // A cumulative counter restarting at sample 150: a constant start timestamp, then a new one.
            add(app, "cumulative_total", t, i < 150 ? i : i - 150, i < 150 ? T0 - 1_000 : T0 + 150 * STEP - 5);
            // Deltas starting at the previous sample's (jittered) time, as OpenTelemetry sends them.
            add(app, "delta_total", t, 7, time(i - 1));
            // Start timestamps on some samples only, and one after the sample (invalid, but kept as sent).
            add(app, "sparse_total", t, i, i % 3 == 0 ? 0 : i % 5 == 0 ? t + 1 : t - 1);
            add(app, "plain_total", t, i, 0);
            app.commit();
        }
    }

    private static long time(int i) {
        return T0 + i * STEP + (i % 4) * 7;
    }

    private void add(Appender app, String name, long t, double v, long st) throws AppendException {
        Labels l = series(name);
        app.appendWithStart(0, l, t, st, v);
        expected.computeIfAbsent(l, k -> new ArrayList<>()).add(new Sample(t, v, st));
    }

    private static Map<Labels, List<Sample>> read(Storage storage) {
        Map<Labels, List<Sample>> out = new LinkedHashMap<>();
        try (Querier q = storage.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(List.of(ALL));
            while (set.next()) {
                List<Sample> samples = new ArrayList<>();
                SampleIterator it = set.at().iterator();
                while (it.next()) {
                    samples.add(new Sample(it.timestamp(), it.value(), it.startTimestamp()));
                }
                out.put(set.at().labels(), samples);
            }
        }
        return out;
    }

    private void assertReadBack(Storage storage) {
        Map<Labels, List<Sample>> got = read(storage);
        assertEquals(expected.keySet(), got.keySet());
        for (Labels l : expected.keySet()) {
            assertEquals(expected.get(l), got.get(l), l.toString());
        }
    }

    @Test
    void startTimestampsSurviveCommitPersistenceReplayAndReopen() throws Exception {
        write(0, 200);
        // A commit without start timestamps is logged in the plain record form, between the others.
        Appender plainOnly = db.appender();
        add(plainOnly, "plain_total", T0 + 200 * STEP - 1, 1, 0);
        plainOnly.commit();
        write(200, 210);
        assertReadBack(db);

        // A snapshot holds the chunks cut so far (120 samples) and the log: opening it replays the rest.
        Path snapshot = dir.resolveSibling(dir.getFileName() + "-snapshot");
        db.snapshot(snapshot);
        try (Tsdb replayed = Tsdb.open(TsdbOptions.defaults(snapshot))) {
            assertReadBack(replayed);
        }

        // Close checkpoints the open chunks; reopening restores the last one, which takes more samples.
        db.close();
        db = Tsdb.open(TsdbOptions.defaults(dir));
        assertReadBack(db);
        write(210, 300);
        assertReadBack(db);
        db.close();
        db = Tsdb.open(TsdbOptions.defaults(dir));
        assertReadBack(db);

        int[] plain = new int[2];
        int[] withStart = new int[2];
        try (RocksIterator it = db.store().db().newIterator(db.store().chunks())) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                StoredChunk c = StoredChunk.of(ChunkCodec.minTime(it.key()), it.value());
                boolean wrapped = (c.data()[c.offset()] & 0xff) == 0xff;
                int[] counts = db.labelsOf(ChunkCodec.seriesId(it.key())).metricName().equals("plain_total")
                        ? plain : withStart;
                counts[wrapped ? 0 : 1]++;
            }
        }
        assertEquals(0, plain[0], "chunks of a series without start timestamps are stored plain");
        assertTrue(plain[1] >= 2, "plain chunks: " + plain[1]);
        assertEquals(0, withStart[1], "every chunk of a series with start timestamps keeps them");
        assertTrue(withStart[0] >= 6, "chunks with start timestamps: " + withStart[0]);
    }

    @Test
    void deletingARangeKeepsTheStartTimestampsOfTheRest() throws Exception {
        write(0, 200);
        long mint = T0 + 50 * STEP;
        long maxt = T0 + 170 * STEP;
        db.deleteSeries(mint, maxt, List.of(ALL));
        expected.values().forEach(samples -> samples.removeIf(s -> s.t() >= mint && s.t() <= maxt));
        assertReadBack(db);
        db.close();
        db = Tsdb.open(TsdbOptions.defaults(dir));
        assertReadBack(db);
    }
}
