package io.promlite.tsdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.store.LabelsCodec;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCursorTest {
    private static final Labels A = Labels.of("__name__", "up", "job", "a");
    private static final Labels B = Labels.of("__name__", "up", "job", "b");
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private record Read(Labels labels, long t, double v) {
    }

    private static void commit(Tsdb db, long from, long to) throws AppendException {
        Appender app = db.appender();
        for (long i = from; i < to; i++) {
            app.append(0, A, T0 + i * 1000, i);
            app.append(0, B, T0 + i * 1000, -i);
        }
        app.commit();
    }

    private static List<Read> readAll(LogCursor cursor) {
        List<Read> out = new ArrayList<>();
        while (cursor.read(3, (id, t, bits) -> out.add(new Read(cursor.labels(id), t, Double.longBitsToDouble(bits))))
                > 0) {
            // keep reading
        }
        return out;
    }

    @Test
    void labelsOfAReadSurviveARestart() throws Exception {
        TsdbOptions options = TsdbOptions.defaults(dir);
        long[] ids = new long[2];
        byte[] buffer = new byte[128];
        try (Tsdb db = Tsdb.open(options)) {
            LogCursor cursor = db.logCursor("q");
            commit(db, 0, 1);
            int[] n = {0};
            cursor.read(10, (id, t, bits) -> ids[n[0]++] = id);
            assertEquals(2, n[0]);
            db.checkpoint();
        }
        // After a restart the labels come from wherever the store keeps them now.
        try (Tsdb db = Tsdb.open(options)) {
            byte[][] refs = new byte[2][];
            db.logCursor("q").labelRefs(ids, 2, refs);
            assertEquals(A, LabelsCodec.decode(expanded(refs[0], buffer)));
            assertEquals(B, LabelsCodec.decode(expanded(refs[1], buffer)));
        }
    }

    /** The stored encoding a label reference expands to, written after other bytes into a reused buffer. */
    private static byte[] expanded(byte[] ref, byte[] buffer) {
        int end = LogCursor.writeStoredLabels(ref, buffer, 3);
        assertEquals(3 + LogCursor.storedLabelsLength(ref), end);
        return Arrays.copyOfRange(buffer, 3, end);
    }

    @Test
    void labelRefsOfAReadExpandToTheStoredEncoding() throws Exception {
        long[] ids = new long[3];
        byte[] buffer = new byte[128];
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            LogCursor cursor = db.logCursor("q");
            commit(db, 0, 1);
            commit(db, 1, 2);
            long[] read = new long[4];
            int[] n = {0};
            cursor.read(10, (id, t, bits) -> read[n[0]++] = id);
            assertEquals(4, n[0]);
            ids[0] = read[0];
            ids[1] = read[1];
            ids[2] = Math.max(ids[0], ids[1]) + 1000;
            byte[][] refs = new byte[3][];
            cursor.labelRefs(ids, 3, refs);
            assertArrayEquals(LabelsCodec.encode(A), expanded(refs[0], buffer));
            assertArrayEquals(LabelsCodec.encode(B), expanded(refs[1], buffer));
            assertNull(refs[2], "a series the store does not know");
            // A series in memory: the same array for every sample, nothing allocated per sample.
            byte[][] again = new byte[2][];
            cursor.labelRefs(new long[] {read[2], read[3]}, 2, again);
            assertSame(refs[0], again[0]);
            assertSame(refs[1], again[1]);
        }
        Labels spelled = Labels.of("__name__", "never_in_memory", "path", "/température");
        assertArrayEquals(LabelsCodec.encode(spelled), expanded(LogCursor.labelRef(LabelsCodec.encode(spelled)), buffer));
    }

    @Test
    void unsentRecordsSurviveCheckpointsAndRestarts() throws Exception {
        TsdbOptions options = TsdbOptions.defaults(dir);
        try (Tsdb db = Tsdb.open(options)) {
            commit(db, 0, 1);
            LogCursor cursor = db.logCursor("q");
            assertTrue(readAll(cursor).isEmpty(), "a new reader starts at the end of the log");
            commit(db, 1, 3);
            commit(db, 3, 4);
            List<Read> first = readAll(cursor);
            assertEquals(6, first.size());
            assertEquals(new Read(A, T0 + 1000, 1), first.get(0));
            assertEquals(new Read(B, T0 + 3000, -3), first.get(5));
            // Only the first record is acknowledged; a checkpoint must keep the rest.
            long afterFirstRecord = cursor.readPosition() - 1;
            cursor.commit(afterFirstRecord);
            db.checkpoint();
        }
        try (Tsdb db = Tsdb.open(options)) {
            assertEquals(Set.of("q"), db.logCursorNames());
            LogCursor cursor = db.logCursor("q");
            assertEquals(List.of(new Read(A, T0 + 3000, 3), new Read(B, T0 + 3000, -3)), readAll(cursor));
            commit(db, 4, 5);
            assertTrue(cursor.awaitRecords(1000));
            assertEquals(2, readAll(cursor).size());
            assertFalse(cursor.awaitRecords(10));
            cursor.commit(cursor.readPosition());
            db.checkpoint();
            assertEquals(0, db.logBytes(), "read and checkpointed records are deleted");
            // The store itself still has everything.
            assertEquals(5, TestData.select(db, Long.MIN_VALUE, Long.MAX_VALUE, Matcher.equal("job", "a")).get(A).size());
        }
    }

    @Test
    void sequenceNumbersNeverRestartBelowAReaderOnceTheLogIsEmpty() throws Exception {
        TsdbOptions options = TsdbOptions.defaults(dir);
        long position;
        try (Tsdb db = Tsdb.open(options)) {
            LogCursor cursor = db.logCursor("q");
            commit(db, 0, 5);
            readAll(cursor);
            position = cursor.readPosition();
            cursor.commit(position);
        }
        try (Tsdb db = Tsdb.open(options)) {
            assertEquals(0, db.logBytes());
            LogCursor cursor = db.logCursor("q");
            assertEquals(position, cursor.readPosition());
            commit(db, 5, 6);
            assertEquals(2, readAll(cursor).size());
        }
    }

    @Test
    void droppedReadersHoldNothingBack() throws Exception {
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            db.logCursor("gone");
            commit(db, 0, 10);
            db.checkpoint();
            assertTrue(db.logBytes() > 0);
            db.dropLogCursor("gone");
            db.checkpoint();
            assertEquals(0, db.logBytes());
            assertEquals(Set.of(), db.logCursorNames());
        }
    }

    @Test
    void agentModeKeepsOnlyTheLogWithinItsCap() throws Exception {
        long cap = 4096;
        TsdbOptions options = new TsdbOptions(dir, TsdbOptions.DEFAULT_RETENTION, 0, new PrometheusRegistry()).agent(cap);
        try (Tsdb db = Tsdb.open(options)) {
            LogCursor cursor = db.logCursor("q");
            // Below the cap: nothing lost while the reader does not read.
            for (int i = 0; i < 20; i++) {
                commit(db, i, i + 1);
            }
            db.checkpoint();
            assertTrue(db.logBytes() <= cap);
            assertEquals(40, readAll(cursor).size());
            assertTrue(TestData.select(db, Long.MIN_VALUE, Long.MAX_VALUE, Matcher.equal("job", "a")).isEmpty(),
                    "agent mode stores no chunks");
            // An outage far beyond the cap: the log stays bounded and keeps the newest records.
            for (int i = 20; i < 2000; i++) {
                commit(db, i, i + 1);
            }
            db.checkpoint();
            assertTrue(db.logBytes() <= cap, "log bytes " + db.logBytes());
            List<Read> kept = readAll(cursor);
            assertFalse(kept.isEmpty());
            assertEquals(T0 + 1999 * 1000, kept.get(kept.size() - 1).t());
            assertTrue(kept.size() < 2 * 1980);
            // Out-of-order checks still work without chunks.
            Appender app = db.appender();
            assertThrows(AppendException.class, () -> app.append(0, A, T0, 1));
            app.commit();
            assertTrue(readAll(cursor).isEmpty(), "an out-of-order sample is not logged");
        }
    }

    @Test
    void checkpointsGiveTheLogsDiskSpaceBack() throws Exception {
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            var rocks = db.store().db();
            var log = db.store().log();
            for (int round = 0; round < 4; round++) {
                for (int c = 0; c < 50; c++) {
                    commit(db, (round * 50L + c) * 100, (round * 50L + c + 1) * 100);
                }
                // Records in files on disk, not just in the memtable.
                try (var flush = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
                    rocks.flush(flush, log);
                }
            }
            assertTrue(rocks.getLongProperty(log, "rocksdb.live-sst-files-size") > 100_000);
            db.checkpoint();
            assertEquals(0, db.logBytes());
            assertTrue(rocks.getLongProperty(log, "rocksdb.live-sst-files-size") < 10_000,
                    "log files left: " + rocks.getLongProperty(log, "rocksdb.live-sst-files-size"));
        }
    }
}
