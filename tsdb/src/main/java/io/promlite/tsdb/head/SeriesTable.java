package io.promlite.tsdb.head;

import io.promlite.tsdb.model.Labels;
import java.util.List;
import java.util.concurrent.locks.StampedLock;

/**
 * Nonzero 64-bit key → series, an open-addressing hash table on primitive longs, so that lookups neither
 * box nor allocate and an entry costs a long and a reference instead of a map node. Keys may
 * repeat (label-set hashes can collide): a lookup by label set checks each candidate's labels.
 * Lock-striped; lookups are optimistic (no lock write, so concurrent appenders do not contend)
 * and fall back to a read lock only when they overlap a modification.
 */
final class SeriesTable {
    private static final int STRIPES = 16;
    private final Stripe[] stripes = new Stripe[STRIPES];
    /**
     * Whether keys are placed by their value rather than mixed first: for series ids, numbered
     * in creation order. The series of one scrape target are created together, so their ids are
     * close, and placed by value they share cache lines in the table instead of each costing a
     * cache miss when the target's samples are appended (and a collector copying the series out
     * of the table keeps them together in memory as well). Sequential keys spread evenly by value.
     */
    private final boolean sequentialKeys;

    /** @param sequentialKeys see {@link #sequentialKeys}; false for keys that are hashes already spread or not */
    SeriesTable(boolean sequentialKeys) {
        this.sequentialKeys = sequentialKeys;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** The stripe is the low 4 bits, the position within the stripe the bits above. */
    private int hash(long key) {
        long h = sequentialKeys ? key : key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** The series under {@code key} (keys are unique, as series ids are). */
    MemSeries get(long key) {
        return get(key, null);
    }

    /** The series under {@code key} holding {@code labels}, or any under {@code key} when labels is null. */
    MemSeries get(long key, Labels labels) {
        int h = hash(key);
        return stripes[h & (STRIPES - 1)].get(key, labels, h >>> 4);
    }

    /**
     * The series with id {@code id} if it sits at {@code slot} (from {@link #slotOf}) of its
     * stripe, else null. For the table keyed by series id. Lock-free and without validation: a
     * series found there with that id is the one (ids are unique; evicted series are marked).
     */
    MemSeries atSlot(long id, int slot) {
        MemSeries s = atSlotUnchecked(id, slot);
        return s != null && s.id() == id ? s : null;
    }

    /** Whatever sits at {@code slot} of the stripe of {@code id}, or null for a slot out of range: a prefetch's guess. */
    MemSeries atSlotUnchecked(long id, int slot) {
        MemSeries[] values = stripes[hash(id) & (STRIPES - 1)].table.values();
        return slot >= 0 && slot < values.length ? values[slot] : null;
    }

    /** Where {@code s}, under {@code key}, sits in its stripe now, or -1; it moves when the stripe resizes
     * or a removal re-inserts the probe run it is in. */
    int slotOf(long key, MemSeries s) {
        int h = hash(key);
        return stripes[h & (STRIPES - 1)].slotOf(key, s, h >>> 4);
    }

    void put(long key, MemSeries s) {
        int h = hash(key);
        stripes[h & (STRIPES - 1)].put(key, s, h >>> 4);
    }

    void remove(long key, MemSeries s) {
        int h = hash(key);
        stripes[h & (STRIPES - 1)].remove(key, s, h >>> 4);
    }

    int size() {
        int n = 0;
        for (Stripe s : stripes) {
            n += s.size;
        }
        return n;
    }

    /** Adds every series to {@code out}; stripes are locked one at a time, briefly. */
    void collect(List<MemSeries> out) {
        for (Stripe s : stripes) {
            s.collect(out);
        }
    }

    /** Keys and values swapped together on resize, so an optimistic reader sees a matching pair. */
    private record Table(long[] keys, MemSeries[] values) {
        Table(int capacity) {
            this(new long[capacity], new MemSeries[capacity]);
        }
    }

    private final class Stripe {
        private final StampedLock lock = new StampedLock();
        private Table table = new Table(16);
        private volatile int size;

        MemSeries get(long key, Labels labels, int h) {
            long stamp = lock.tryOptimisticRead();
            if (stamp != 0) {
                MemSeries s = lookup(table, key, labels, h);
                if (lock.validate(stamp)) {
                    return s;
                }
            }
            stamp = lock.readLock();
            try {
                return lookup(table, key, labels, h);
            } finally {
                lock.unlockRead(stamp);
            }
        }

        int slotOf(long key, MemSeries series, int h) {
            long stamp = lock.readLock();
            try {
                long[] keys = table.keys();
                int mask = keys.length - 1;
                for (int i = h & mask; keys[i] != 0; i = (i + 1) & mask) {
                    if (keys[i] == key && table.values()[i] == series) {
                        return i;
                    }
                }
                return -1;
            } finally {
                lock.unlockRead(stamp);
            }
        }

        /** Bounded probing: a torn optimistic read must terminate; validation discards it. */
        private static MemSeries lookup(Table t, long key, Labels labels, int h) {
            long[] keys = t.keys();
            int mask = keys.length - 1;
            for (int n = 0, i = h & mask; n < keys.length; n++, i = (i + 1) & mask) {
                long k = keys[i];
                if (k == key) {
                    MemSeries s = t.values()[i];
                    if (s != null && (labels == null || s.hasLabels(labels))) {
                        return s;
                    }
                } else if (k == 0) {
                    return null;
                }
            }
            return null;
        }

        void put(long key, MemSeries series, int h) {
            long stamp = lock.writeLock();
            try {
                if ((size + 1) * 4 > table.keys().length * 3) {
                    Table old = table;
                    Table bigger = new Table(old.keys().length * 2);
                    for (int i = 0; i < old.keys().length; i++) {
                        if (old.keys()[i] != 0) {
                            insert(bigger, old.keys()[i], old.values()[i]);
                        }
                    }
                    table = bigger;
                }
                insert(table, key, series);
                size++;
            } finally {
                lock.unlockWrite(stamp);
            }
        }

        /** Puts a key in the first free slot of its probe run. */
        private void insert(Table t, long key, MemSeries s) {
            long[] keys = t.keys();
            int mask = keys.length - 1;
            int i = (hash(key) >>> 4) & mask;
            while (keys[i] != 0) {
                i = (i + 1) & mask;
            }
            t.values()[i] = s;
            keys[i] = key;
        }

        void remove(long key, MemSeries series, int h) {
            long stamp = lock.writeLock();
            try {
                Table t = table;
                long[] keys = t.keys();
                int mask = keys.length - 1;
                int i = h & mask;
                while (keys[i] != 0 && (keys[i] != key || t.values()[i] != series)) {
                    i = (i + 1) & mask;
                }
                if (keys[i] == 0) {
                    return;
                }
                keys[i] = 0;
                t.values()[i] = null;
                size--;
                // Re-insert the rest of the probe run so later lookups do not stop at the hole.
                for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
                    long moved = keys[j];
                    MemSeries s = t.values()[j];
                    keys[j] = 0;
                    t.values()[j] = null;
                    insert(t, moved, s);
                }
            } finally {
                lock.unlockWrite(stamp);
            }
        }

        void collect(List<MemSeries> out) {
            long stamp = lock.readLock();
            try {
                for (MemSeries s : table.values()) {
                    if (s != null) {
                        out.add(s);
                    }
                }
            } finally {
                lock.unlockRead(stamp);
            }
        }
    }
}
