package io.promlite.tsdb.head;

import io.promlite.tsdb.model.Labels;
import java.util.List;
import java.util.concurrent.locks.StampedLock;

/**
 * Series found by a 64-bit key: an open-addressing hash table of series references, so that
 * lookups neither box nor allocate and an entry costs a slot of 4 or 8 bytes instead of a map node.
 * Lock-striped; lookups are optimistic (no lock write, so concurrent appenders do not contend)
 * and fall back to a read lock only when they overlap a modification.
 *
 * <p>Two kinds, as the head needs them ({@link #byId()}, {@link #byLabelHash()}). Both keep as little
 * as possible per slot, as a table has a slot for every active series and stands a quarter to
 * five eighths empty: the id table keeps only the reference (a series knows its id), and the
 * label-hash table adds 32 bits of the key's mixed hash, enough to skip almost every non-matching
 * candidate without reading it (a lookup by label set checks a candidate's labels anyway, as
 * label-set hashes can collide). At 1M series that is 25 instead of 50 bytes per series.
 */
final class SeriesTable {
    private static final int STRIPES = 16;
    private static final int[] NO_HASHES = new int[0];
    private final Stripe[] stripes = new Stripe[STRIPES];
    /**
     * Whether the keys are series ids, placed by their value rather than mixed first: ids are
     * numbered in creation order, the series of one scrape target are created together, so their
     * ids are close, and placed by value they share cache lines in the table instead of each
     * costing a cache miss when the target's samples are appended (and a collector copying the
     * series out of the table keeps them together in memory as well). Sequential keys spread
     * evenly by value.
     */
    private final boolean ids;

    private SeriesTable(boolean ids) {
        this.ids = ids;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** Series by id: keys are unique, and a series' key is its {@link MemSeries#id()}. */
    static SeriesTable byId() {
        return new SeriesTable(true);
    }

    /** Series by a hash of their labels: keys may repeat, and lookups check labels. */
    static SeriesTable byLabelHash() {
        return new SeriesTable(false);
    }

    /** The stripe is the low 4 bits, the position within the stripe the bits above. */
    private int hash(long key) {
        long h = ids ? key : key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** The series with id {@code id}; for the id table. */
    MemSeries get(long id) {
        int h = hash(id);
        return stripes[h & (STRIPES - 1)].get(id, null, h);
    }

    /** The series under {@code key} holding {@code labels}; for the label-hash table. */
    MemSeries get(long key, Labels labels) {
        int h = hash(key);
        return stripes[h & (STRIPES - 1)].get(key, labels, h);
    }

    /**
     * The series with id {@code id} if it sits at {@code slot} (from {@link #slotOf}) of its
     * stripe, else null. For the id table. Lock-free and without validation: a series found
     * there with that id is the one (ids are unique; evicted series are marked).
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
        return stripes[h & (STRIPES - 1)].slotOf(s, h);
    }

    void put(long key, MemSeries s) {
        int h = hash(key);
        stripes[h & (STRIPES - 1)].put(s, h);
    }

    void remove(long key, MemSeries s) {
        int h = hash(key);
        stripes[h & (STRIPES - 1)].remove(s, h);
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

    /**
     * Slots and the mixed key hashes of the label-hash table (empty for the id table), swapped
     * together on resize, so an optimistic reader sees a matching pair. A null value is a free slot.
     */
    private record Table(int[] hashes, MemSeries[] values) {
    }

    private final class Stripe {
        private final StampedLock lock = new StampedLock();
        private Table table = newTable(16);
        private volatile int size;

        private Table newTable(int capacity) {
            return new Table(ids ? NO_HASHES : new int[capacity], new MemSeries[capacity]);
        }

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

        int slotOf(MemSeries series, int h) {
            long stamp = lock.readLock();
            try {
                MemSeries[] values = table.values();
                int mask = values.length - 1;
                for (int i = (h >>> 4) & mask; values[i] != null; i = (i + 1) & mask) {
                    if (values[i] == series) {
                        return i;
                    }
                }
                return -1;
            } finally {
                lock.unlockRead(stamp);
            }
        }

        /** Bounded probing: a torn optimistic read must terminate; validation discards it. */
        private MemSeries lookup(Table t, long key, Labels labels, int h) {
            MemSeries[] values = t.values();
            int[] hashes = t.hashes();
            int mask = values.length - 1;
            for (int n = 0, i = (h >>> 4) & mask; n < values.length; n++, i = (i + 1) & mask) {
                MemSeries s = values[i];
                if (s == null) {
                    return null;
                }
                if (ids ? s.id() == key : hashes[i] == h && s.hasLabels(labels)) {
                    return s;
                }
            }
            return null;
        }

        void put(MemSeries series, int h) {
            long stamp = lock.writeLock();
            try {
                if ((size + 1) * 4 > table.values().length * 3) {
                    Table old = table;
                    Table bigger = newTable(old.values().length * 2);
                    for (int i = 0; i < old.values().length; i++) {
                        if (old.values()[i] != null) {
                            insert(bigger, old.values()[i], hashAt(old, i));
                        }
                    }
                    table = bigger;
                }
                insert(table, series, h);
                size++;
            } finally {
                lock.unlockWrite(stamp);
            }
        }

        /** The hash of the key of the series in slot {@code i}. */
        private int hashAt(Table t, int i) {
            return ids ? hash(t.values()[i].id()) : t.hashes()[i];
        }

        /** Puts a series in the first free slot of its probe run; the hash before the reference, for optimistic readers. */
        private void insert(Table t, MemSeries s, int h) {
            MemSeries[] values = t.values();
            int mask = values.length - 1;
            int i = (h >>> 4) & mask;
            while (values[i] != null) {
                i = (i + 1) & mask;
            }
            if (!ids) {
                t.hashes()[i] = h;
            }
            values[i] = s;
        }

        void remove(MemSeries series, int h) {
            long stamp = lock.writeLock();
            try {
                Table t = table;
                MemSeries[] values = t.values();
                int mask = values.length - 1;
                int i = (h >>> 4) & mask;
                while (values[i] != null && values[i] != series) {
                    i = (i + 1) & mask;
                }
                if (values[i] == null) {
                    return;
                }
                values[i] = null;
                size--;
                // Re-insert the rest of the probe run so later lookups do not stop at the hole.
                for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
                    MemSeries s = values[j];
                    int moved = hashAt(t, j);
                    values[j] = null;
                    insert(t, s, moved);
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
