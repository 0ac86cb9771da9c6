package io.promlite.scraper.scrape;

import io.promlite.tsdb.model.Labels;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One target's series, keyed by the raw series text of its exposition lines. A known line costs a
 * hash and a byte comparison: no label parsing, no label merging, no relabeling, and the store
 * gets the series ref. The cache also remembers which series each scrape saw, which is what
 * staleness needs.
 *
 * <p>Iterations: every scrape (successful or not) is one iteration. {@link Entry#seen} is the
 * iteration that last read the line; {@link Entry#committed} the last successful iteration that
 * wrote it. Not thread-safe; a loop's scrapes never overlap.
 */
final class SeriesCache {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int NEVER = Integer.MIN_VALUE;

    static final class Entry {
        final byte[] key;
        final int hash;
        /** The series' labels after target labels and metric relabeling, or null when relabeling drops it. */
        final Labels labels;
        long ref;
        int seen;
        int committed = NEVER;
        /**
         * False while the series carries its own timestamps: like Prometheus (without
         * track_timestamps_staleness), promlite does not mark such series stale.
         */
        boolean tracksStaleness = true;

        Entry(byte[] key, int hash, Labels labels) {
            this.key = key;
            this.hash = hash;
            this.labels = labels;
        }

        boolean dropped() {
            return labels == null;
        }
    }

    private Entry[] table = new Entry[64];
    private int size;
    private int iteration;

    /** Starts a scrape; entries read from now on are marked as seen by it. */
    void beginIteration() {
        iteration++;
    }

    int iteration() {
        return iteration;
    }

    /** The entry for the raw series {@code b[start, end)}, marked seen, or null when unknown. */
    Entry get(byte[] b, int start, int end) {
        int h = hash(b, start, end);
        int mask = table.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            Entry e = table[i];
            if (e == null) {
                return null;
            }
            if (e.hash == h && Arrays.equals(e.key, 0, e.key.length, b, start, end)) {
                e.seen = iteration;
                return e;
            }
        }
    }

    /** Adds a series first read in this scrape; the caller checked it is absent. */
    Entry add(byte[] b, int start, int end, Labels labels) {
        Entry e = new Entry(Arrays.copyOfRange(b, start, end), hash(b, start, end), labels);
        e.seen = iteration;
        if (2 * (size + 1) > table.length) {
            table = rehash(table.length * 2);
        }
        insert(table, e);
        size++;
        return e;
    }

    /**
     * Ends a scrape that wrote its samples. Series the previous scrape wrote but this one did not
     * are passed to {@code gone} (once per label set); every series this scrape did not read is
     * forgotten, as Prometheus flushes its cache after a successful scrape.
     */
    void commitIteration(Consumer<Entry> gone) {
        List<Entry> candidates = null;
        int kept = 0;
        for (Entry e : table) {
            if (e == null) {
                continue;
            }
            if (e.seen == iteration) {
                e.committed = iteration;
                kept++;
            } else if (e.committed == iteration - 1 && !e.dropped() && e.tracksStaleness) {
                if (candidates == null) {
                    candidates = new ArrayList<>();
                }
                candidates.add(e);
            }
        }
        if (candidates != null) {
            reportGone(candidates, gone);
        }
        if (kept != size) {
            Entry[] fresh = new Entry[table.length];
            for (Entry e : table) {
                if (e != null && e.committed == iteration) {
                    insert(fresh, e);
                }
            }
            table = fresh;
            size = kept;
        }
    }

    /**
     * Ends a scrape that wrote nothing of its body. Series the previous scrape wrote are passed to
     * {@code gone}; series first read by the rolled-back scrape are forgotten with their refs, so
     * a target failing with ever-changing bodies cannot grow the cache.
     */
    void abortIteration(Consumer<Entry> gone) {
        int neverWritten = 0;
        for (Entry e : table) {
            if (e == null) {
                continue;
            }
            if (e.committed == NEVER) {
                neverWritten++;
            } else if (e.committed == iteration - 1 && !e.dropped() && e.tracksStaleness) {
                gone.accept(e);
            }
        }
        if (neverWritten > 0) {
            Entry[] fresh = new Entry[table.length];
            for (Entry e : table) {
                if (e != null && e.committed != NEVER) {
                    insert(fresh, e);
                }
            }
            table = fresh;
            size -= neverWritten;
        }
    }

    /** Every tracked label set the latest scrape wrote (none when it failed), once each. */
    void forEachLive(Consumer<Entry> action) {
        Set<Labels> reported = new HashSet<>();
        for (Entry e : table) {
            if (e != null && e.committed == iteration && !e.dropped() && e.tracksStaleness && reported.add(e.labels)) {
                action.accept(e);
            }
        }
    }

    int size() {
        return size;
    }

    /**
     * A series can appear under several raw spellings (label order, spacing); only report label
     * sets that no line of this scrape still carries.
     */
    private void reportGone(List<Entry> candidates, Consumer<Entry> gone) {
        Set<Labels> present = new HashSet<>();
        for (Entry e : table) {
            if (e != null && e.seen == iteration && !e.dropped()) {
                present.add(e.labels);
            }
        }
        Set<Labels> reported = new HashSet<>();
        for (Entry e : candidates) {
            if (!present.contains(e.labels) && reported.add(e.labels)) {
                gone.accept(e);
            }
        }
    }

    private Entry[] rehash(int capacity) {
        Entry[] fresh = new Entry[capacity];
        for (Entry e : table) {
            if (e != null) {
                insert(fresh, e);
            }
        }
        return fresh;
    }

    private static void insert(Entry[] t, Entry e) {
        int mask = t.length - 1;
        int i = e.hash & mask;
        while (t[i] != null) {
            i = (i + 1) & mask;
        }
        t[i] = e;
    }

    /** A fast hash over 8-byte words, finished with a 64-bit mix so every bit affects the slot. */
    static int hash(byte[] b, int start, int end) {
        long h = 0x9E3779B97F4A7C15L ^ (end - start);
        int i = start;
        for (; i + 8 <= end; i += 8) {
            h = Long.rotateLeft(h ^ (long) LONGS.get(b, i) * 0xC2B2AE3D27D4EB4FL, 31) * 0x9E3779B97F4A7C15L;
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (b[i] & 0xffL) << shift;
        }
        h ^= tail * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int) h;
    }
}
