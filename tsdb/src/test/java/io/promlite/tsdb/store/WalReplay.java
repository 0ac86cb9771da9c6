package io.promlite.tsdb.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** What RocksDB would recover from a store's write-ahead log, for tests. */
public final class WalReplay {
    private WalReplay() {
    }

    /**
     * How many records opening the store at {@code dir} recovers from its write-ahead log: it is
     * opened read-only, which replays the WAL into memtables without flushing them, and counted there.
     */
    public static long entriesReplayedOnOpen(Path dir) throws Exception {
        List<byte[]> names;
        try (Options options = new Options()) {
            names = RocksDB.listColumnFamilies(options, dir.toString());
        }
        List<ColumnFamilyDescriptor> descriptors = names.stream().map(ColumnFamilyDescriptor::new).toList();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
                RocksDB db = RocksDB.openReadOnly(options, dir.toString(), descriptors, handles)) {
            try {
                return db.getAggregatedLongProperty("rocksdb.num-entries-active-mem-table")
                        + db.getAggregatedLongProperty("rocksdb.num-entries-imm-mem-tables");
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }
}
