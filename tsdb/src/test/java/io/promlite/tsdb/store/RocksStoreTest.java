package io.promlite.tsdb.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

class RocksStoreTest {
    @TempDir
    Path dir;

    /** RocksDB's chatty LOG files stay out of the data directory; its warnings go to promlite's log. */
    @Test
    void writesNoRocksDbInfoLogFiles() throws Exception {
        for (int open = 0; open < 2; open++) {
            try (RocksStore store = RocksStore.open(dir, false)) {
                store.db().put(store.meta(), new byte[] {1}, new byte[] {2});
                store.flushForShutdown();
            }
        }
        try (var files = Files.list(dir)) {
            List<String> logs = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("LOG")).toList();
            assertEquals(List.of(), logs);
        }
    }

    /** Agent mode's log records die within seconds: its log memtable is smaller than a full store's. */
    @Test
    void agentModeKeepsASmallerLogMemtable() throws Exception {
        try (RocksStore store = RocksStore.open(dir, false)) {
            assertEquals(RocksStore.LOG_MEMTABLE_BYTES, store.db().getOptions(store.log()).writeBufferSize());
        }
        try (RocksStore store = RocksStore.open(dir, true)) {
            assertEquals(RocksStore.AGENT_LOG_MEMTABLE_BYTES, store.db().getOptions(store.log()).writeBufferSize());
        }
    }

    /**
     * A WAL file is reused with the records of its previous use still in it, past the new ones:
     * recovering from a crash replays exactly the new records, never the stale ones.
     */
    @Test
    void aCrashWhileWritingAReusedWalRecoversOnlyItsNewRecords() throws Exception {
        Path crashed = dir.resolve("crashed");
        Path data = dir.resolve("data");
        try (RocksStore store = RocksStore.open(data, false); FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
            RocksDB db = store.db();
            byte[] value = new byte[4096];
            for (long seq = 0; seq < 300; seq++) {
                db.put(store.log(), seqKey(seq), value);
            }
            // Each flush moves to a new WAL file; the one before becomes reusable once flushed. The
            // second flush's new file is the first WAL file again, 1.2 MB of records long.
            db.flush(wait, store.families());
            db.put(store.meta(), new byte[] {1}, new byte[] {2});
            db.flush(wait, store.families());
            Path live = liveWal(data);
            assertTrue(Files.size(live) > 300 * value.length,
                    "the live WAL " + live + " is not a reused file (" + Files.size(live) + " bytes)");
            for (long seq = 5000; seq < 5005; seq++) {
                db.put(store.log(), seqKey(seq), new byte[] {(byte) seq});
            }
            // The files as a process killed now leaves them: every write is in them, nothing was closed.
            copyFiles(data, crashed);
        }
        assertEquals(5, WalReplay.entriesReplayedOnOpen(crashed));
        try (RocksStore store = RocksStore.open(crashed, false); RocksIterator it = store.db().newIterator(store.log())) {
            long count = 0;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                long seq = ByteCodec.getLong(it.key(), 0);
                assertEquals(seq < 300 ? 4096 : 1, it.value().length, "record " + seq);
                count++;
            }
            assertEquals(305, count);
            assertEquals(5004 & 0xff, store.db().get(store.log(), seqKey(5004))[0] & 0xff);
        }
    }

    private static void copyFiles(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static byte[] seqKey(long seq) {
        byte[] k = new byte[8];
        ByteCodec.putLong(k, 0, seq);
        return k;
    }

    /** The WAL file RocksDB writes to: the highest-numbered one. */
    private static Path liveWal(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .max(Comparator.comparing(f -> f.getFileName().toString())).orElseThrow();
        }
    }
}
