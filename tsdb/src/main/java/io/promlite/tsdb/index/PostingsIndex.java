package io.promlite.tsdb.index;

import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.store.ByteCodec;
import io.promlite.tsdb.store.LabelsCodec;
import io.promlite.tsdb.store.ByteReader;
import io.promlite.tsdb.store.ByteWriter;
import io.promlite.tsdb.store.Partitions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The inverted index: (partition, label name, label value) → series ids, one empty-valued
 * RocksDB key per posting.
 *
 * <p>Key layout: {@code partition(4B sortable) | uvarint len | name | uvarint len | value | id(8B)}.
 * Length prefixes make names and values free to contain any byte, and keep a (name, value) prefix
 * from matching a longer value. Ids are big-endian last, so one (name, value) prefix yields sorted
 * ids. The empty name with the empty value (impossible as a real label) lists every series of the
 * partition. Name and value listings skip from one distinct prefix to the next with a seek, so they
 * cost one seek per distinct name or value rather than one step per posting.
 */
public final class PostingsIndex {
    private static final String ALL = "";
    private static final byte[] EMPTY = new byte[0];

    private final RocksDB db;
    private final ColumnFamilyHandle cf;

    public PostingsIndex(RocksDB db, ColumnFamilyHandle cf) {
        this.db = db;
        this.cf = cf;
    }

    /** Lists a series (all its labels) in one partition. Idempotent. */
    /**
     * Lists a series in a partition from its {@link LabelsCodec} encoding: a pair there is laid
     * out exactly as in a postings key, so keys are built by copying without decoding strings.
     */
    public void add(WriteBatch batch, int partition, long id, byte[] encodedLabels) throws RocksDBException {
        ByteWriter w = new ByteWriter(128);
        batch.put(cf, key(w, partition, ALL, ALL, id), EMPTY);
        ByteReader r = new ByteReader().reset(encodedLabels, 0, encodedLabels.length);
        int pairs = (int) r.uvarint();
        for (int i = 0; i < pairs; i++) {
            int start = r.position();
            r.skip((int) r.uvarint());
            r.skip((int) r.uvarint());
            w.clear().sortableInt(partition).bytes(encodedLabels, start, r.position() - start);
            batch.put(cf, w.fixedLong(id).toArray(), EMPTY);
        }
    }

    /** Drops the partitions in {@code [from, toExclusive)}. */
    public void deletePartitions(WriteBatch batch, int from, int toExclusive) throws RocksDBException {
        batch.deleteRange(cf, Partitions.key(from), Partitions.key(toExclusive));
    }

    public Reader reader() {
        return new Reader(db.newIterator(cf));
    }

    private static byte[] key(ByteWriter w, int partition, String name, String value, long id) {
        w.clear().sortableInt(partition);
        w.lengthPrefixed(name.getBytes(StandardCharsets.UTF_8));
        w.lengthPrefixed(value.getBytes(StandardCharsets.UTF_8));
        return w.fixedLong(id).toArray();
    }

    /** Reads one partition at a time through a single RocksDB iterator; not thread-safe. */
    public static final class Reader implements AutoCloseable {
        private final RocksIterator it;
        private final ByteWriter prefix = new ByteWriter(128);
        private final ByteReader keyReader = new ByteReader();
        /** Posting keys are read into this rather than each into a new array: a select reads thousands. */
        private byte[] postingKey = new byte[64];

        private Reader(RocksIterator it) {
            this.it = it;
        }

        /** Every series listed in the partition. */
        public LongList all(int partition) {
            return postings(partition, ALL, ALL);
        }

        public LongList postings(int partition, String name, String value) {
            prefix.clear().sortableInt(partition);
            prefix.lengthPrefixed(name.getBytes(StandardCharsets.UTF_8));
            prefix.lengthPrefixed(value.getBytes(StandardCharsets.UTF_8));
            byte[] p = prefix.toArray();
            LongList ids = new LongList();
            it.seek(p);
            collectIds(p, p.length, ids);
            return ids;
        }

        /** Every partition that has postings, ascending: one seek per partition. */
        public void partitions(PartitionList out) {
            it.seekToFirst();
            while (it.isValid()) {
                byte[] k = it.key();
                int p = ByteCodec.getSortableInt(k, 0);
                out.add(p);
                byte[] next = ByteCodec.prefixSuccessor(k, 4);
                if (next == null) {
                    return;
                }
                it.seek(next);
            }
        }

        /** Sorted distinct label names in the partition. */
        public List<String> names(int partition) {
            byte[] p = Partitions.key(partition);
            List<String> names = new ArrayList<>();
            it.seek(p);
            while (it.isValid()) {
                byte[] k = it.key();
                if (!ByteCodec.startsWith(k, p, p.length)) {
                    break;
                }
                keyReader.reset(k, 4, k.length);
                int len = (int) keyReader.uvarint();
                int nameEnd = keyReader.position() + len;
                if (len > 0) {
                    names.add(new String(k, keyReader.position(), len, StandardCharsets.UTF_8));
                }
                byte[] next = ByteCodec.prefixSuccessor(k, nameEnd);
                if (next == null) {
                    break;
                }
                it.seek(next);
            }
            names.sort(Comparator.naturalOrder());
            return names;
        }

        /** Sorted distinct values of {@code name} in the partition. */
        public List<String> values(int partition, String name) {
            List<String> values = new ArrayList<>();
            scanValues(partition, name, value -> {
                values.add(value);
                return null;
            });
            values.sort(Comparator.naturalOrder());
            return values;
        }

        /**
         * Walks the distinct values of {@code name}; for each, {@code visitor} returns a list to
         * collect that value's series ids into, or null to skip them with a single seek.
         */
        private void scanValues(int partition, String name, PostingsSource.ValueVisitor visitor) {
            prefix.clear().sortableInt(partition);
            prefix.lengthPrefixed(name.getBytes(StandardCharsets.UTF_8));
            byte[] p = prefix.toArray();
            it.seek(p);
            while (it.isValid()) {
                byte[] k = it.key();
                if (!ByteCodec.startsWith(k, p, p.length)) {
                    return;
                }
                keyReader.reset(k, p.length, k.length);
                int len = (int) keyReader.uvarint();
                int valueStart = keyReader.position();
                int valueEnd = valueStart + len;
                LongList sink = visitor.visit(new String(k, valueStart, len, StandardCharsets.UTF_8));
                if (sink == null) {
                    byte[] next = ByteCodec.prefixSuccessor(k, valueEnd);
                    if (next == null) {
                        return;
                    }
                    it.seek(next);
                    continue;
                }
                collectIds(k, valueEnd, sink);
            }
        }

        /**
         * Adds the ids of the postings from the iterator's position on whose keys start with
         * {@code prefix[0, prefixLength)}, leaving the iterator on the first key that does not.
         */
        private void collectIds(byte[] prefix, int prefixLength, LongList out) {
            int keyLength = prefixLength + 8;
            if (postingKey.length < keyLength) {
                postingKey = new byte[keyLength];
            }
            for (; it.isValid(); it.next()) {
                // The stored length tells a longer value sharing the prefix apart.
                if (it.key(postingKey) != keyLength || !ByteCodec.startsWith(postingKey, prefix, prefixLength)) {
                    return;
                }
                out.add(ByteCodec.getLong(postingKey, prefixLength));
            }
        }

        /** The series of the partition matching every matcher, sorted. */
        public LongList select(int partition, List<Matcher> matchers) {
            return PostingsSource.select(new PostingsSource() {
                @Override
                public LongList postings(String name, String value) {
                    return Reader.this.postings(partition, name, value);
                }

                @Override
                public void scanValues(String name, ValueVisitor visitor) {
                    Reader.this.scanValues(partition, name, visitor);
                }

                @Override
                public LongList all() {
                    return Reader.this.all(partition);
                }
            }, matchers);
        }

        @Override
        public void close() {
            it.close();
        }
    }
}
