package io.promlite.tsdb.head;

import java.util.List;

/**
 * Series id → series, an open-addressing hash map on primitive longs so that the append fast
 * path (a known series reference) neither boxes nor allocates. Lock-striped for concurrent use.
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

    private Stripe stripe(int h) {
        return stripes[h & (STRIPES - 1)];
    }

    MemSeries get(long id) {
        int h = hash(id);
        return stripe(h).get(id, h >>> 4);
    }

    void put(MemSeries s) {
        int h = hash(s.id());
        stripe(h).put(s, h >>> 4);
    }

    void remove(long id) {
        int h = hash(id);
        stripe(h).remove(id, h >>> 4);
    }

    /** Adds every series to {@code out}; stripes are locked one at a time, briefly. */
    void collect(List<MemSeries> out) {
        for (Stripe s : stripes) {
            s.collect(out);
        }
    }

    private static final class Stripe {
        private MemSeries[] table = new MemSeries[16];
        private int size;

        synchronized MemSeries get(long id, int h) {
            int mask = table.length - 1;
            for (int i = h & mask; ; i = (i + 1) & mask) {
                MemSeries s = table[i];
                if (s == null || s.id() == id) {
                    return s;
                }
            }
        }

        synchronized void put(MemSeries series, int h) {
            if ((size + 1) * 4 > table.length * 3) {
                resize();
            }
            if (insert(table, series, h)) {
                size++;
            }
        }

        private static boolean insert(MemSeries[] t, MemSeries series, int h) {
            int mask = t.length - 1;
            for (int i = h & mask; ; i = (i + 1) & mask) {
                if (t[i] == null) {
                    t[i] = series;
                    return true;
                }
                if (t[i].id() == series.id()) {
                    t[i] = series;
                    return false;
                }
            }
        }

        private void resize() {
            MemSeries[] bigger = new MemSeries[table.length * 2];
            for (MemSeries s : table) {
                if (s != null) {
                    insert(bigger, s, hash(s.id()) >>> 4);
                }
            }
            table = bigger;
        }

        synchronized void remove(long id, int h) {
            int mask = table.length - 1;
            int i = h & mask;
            while (table[i] != null && table[i].id() != id) {
                i = (i + 1) & mask;
            }
            if (table[i] == null) {
                return;
            }
            table[i] = null;
            size--;
            // Re-insert the rest of the probe run so later lookups do not stop at the hole.
            for (int j = (i + 1) & mask; table[j] != null; j = (j + 1) & mask) {
                MemSeries s = table[j];
                table[j] = null;
                insert(table, s, hash(s.id()) >>> 4);
            }
        }

        synchronized void collect(List<MemSeries> out) {
            for (MemSeries s : table) {
                if (s != null) {
                    out.add(s);
                }
            }
        }
    }
}
