package io.promlite.tsdb.head;

import java.util.List;
import java.util.concurrent.locks.StampedLock;

/**
 * Series id → series, an open-addressing hash map on primitive longs so that the append fast
 * path (a known series reference) neither boxes nor allocates. Lock-striped; lookups are
 * optimistic (no lock write, so concurrent appenders do not contend) and fall back to a read
 * lock only when they overlap a modification.
 */
final class SeriesIdMap {
    private static final int STRIPES = 16;
    private final Stripe[] stripes = new Stripe[STRIPES];

    SeriesIdMap() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    private static int hash(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    MemSeries get(long id) {
        int h = hash(id);
        return stripes[h & (STRIPES - 1)].get(id, h >>> 4);
    }

    void put(MemSeries s) {
        int h = hash(s.id());
        stripes[h & (STRIPES - 1)].put(s, h >>> 4);
    }

    void remove(long id) {
        int h = hash(id);
        stripes[h & (STRIPES - 1)].remove(id, h >>> 4);
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

        /** Slot of {@code id}, or of the empty slot where it would go. Ids are never 0. */
        int slot(long id, int h) {
            int mask = keys.length - 1;
            int i = h & mask;
            while (keys[i] != 0 && keys[i] != id) {
                i = (i + 1) & mask;
            }
            return i;
        }
    }

    private static final class Stripe {
        private final StampedLock lock = new StampedLock();
        private Table table = new Table(16);
        private int size;

        MemSeries get(long id, int h) {
            long stamp = lock.tryOptimisticRead();
            if (stamp != 0) {
                Table t = table;
                MemSeries s = lookup(t, id, h);
                if (lock.validate(stamp)) {
                    return s;
                }
            }
            stamp = lock.readLock();
            try {
                return lookup(table, id, h);
            } finally {
                lock.unlockRead(stamp);
            }
        }

        /** Bounded probing: a torn optimistic read must terminate; validation discards it. */
        private static MemSeries lookup(Table t, long id, int h) {
            long[] keys = t.keys();
            int mask = keys.length - 1;
            for (int n = 0, i = h & mask; n < keys.length; n++, i = (i + 1) & mask) {
                long k = keys[i];
                if (k == id) {
                    return t.values()[i];
                }
                if (k == 0) {
                    return null;
                }
            }
            return null;
        }

        void put(MemSeries series, int h) {
            long stamp = lock.writeLock();
            try {
                if ((size + 1) * 4 > table.keys().length * 3) {
                    Table bigger = new Table(table.keys().length * 2);
                    for (MemSeries s : table.values()) {
                        if (s != null) {
                            insert(bigger, s);
                        }
                    }
                    table = bigger;
                }
                if (insert(table, series)) {
                    size++;
                }
            } finally {
                lock.unlockWrite(stamp);
            }
        }

        private static boolean insert(Table t, MemSeries s) {
            int i = t.slot(s.id(), hash(s.id()) >>> 4);
            boolean added = t.keys()[i] == 0;
            t.values()[i] = s;
            t.keys()[i] = s.id();
            return added;
        }

        void remove(long id, int h) {
            long stamp = lock.writeLock();
            try {
                Table t = table;
                int mask = t.keys().length - 1;
                int i = t.slot(id, h);
                if (t.keys()[i] == 0) {
                    return;
                }
                t.keys()[i] = 0;
                t.values()[i] = null;
                size--;
                // Re-insert the rest of the probe run so later lookups do not stop at the hole.
                for (int j = (i + 1) & mask; t.keys()[j] != 0; j = (j + 1) & mask) {
                    MemSeries s = t.values()[j];
                    t.keys()[j] = 0;
                    t.values()[j] = null;
                    insert(t, s);
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
