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
import java.util.function.IntConsumer;

/**
 * One target's series, keyed by the raw series text of its exposition lines. A known line costs a
 * hash and a byte comparison: no label parsing, no label merging, no relabeling, and the store
 * gets the series ref. The cache also remembers which series each scrape saw, which is what
 * staleness needs.
 *
 * <p>Every series is a small int (its position in parallel primitive arrays), and the raw texts
 * sit back to back in one byte arena: a series costs its key bytes plus about 35 bytes (ref,
 * labels reference, key offset, flags, index slots) and no object of its own. The index is an
 * open-addressing table of longs holding a key's hash next to its series number, so a lookup
 * touches one table slot and the arena. Series numbers stay valid until the iteration ends;
 * committing or aborting compacts the arrays in place.
 *
 * <p>Iterations: every scrape (successful or not) is one iteration. {@link #SEEN} marks series
 * the current iteration read; {@link #WRITTEN_LAST} those the latest iteration wrote, valid while
 * that iteration was a successful one. Not thread-safe; a loop's scrapes never overlap.
 */
final class SeriesCache {
    /** What {@link #get} returns for a series not in the cache. */
    static final int ABSENT = -1;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Read by the current iteration. */
    private static final byte SEEN = 1;
    /** Written by the previous iteration, which succeeded. */
    private static final byte WRITTEN_LAST = 2;
    /** Written by some successful iteration: the store knows the series. */
    private static final byte EVER_WRITTEN = 4;
    /**
     * The series carries its own timestamps: like Prometheus (without
     * track_timestamps_staleness), promlite does not mark such series stale.
     */
    private static final byte OWN_TIMESTAMPS = 8;
    private static final int INITIAL_CAPACITY = 16;

    private long[] refs = new long[INITIAL_CAPACITY];
    /** The series' labels after target labels and metric relabeling, or null when relabeling drops it. */
    private Labels[] labels = new Labels[INITIAL_CAPACITY];
    private byte[] flags = new byte[INITIAL_CAPACITY];
    /** Series i's raw text is {@code arena[keyOffsets[i], keyOffsets[i + 1])}. */
    private int[] keyOffsets = new int[INITIAL_CAPACITY + 1];
    private byte[] arena = new byte[INITIAL_CAPACITY * 64];
    /** 0 for a free slot, else the key's hash in the high half and the series number + 1 in the low half. */
    private long[] index = new long[INITIAL_CAPACITY * 2];
    private int size;
    /** Whether an iteration began and has not been committed or aborted. */
    private boolean open;
    /** Whether the latest finished iteration was committed. */
    private boolean lastCommitted;

    /** Starts a scrape; series read from now on are marked as seen by it. */
    void beginIteration() {
        if (open) {
            // The previous scrape broke off without committing or aborting: it wrote nothing.
            for (int s = 0; s < size; s++) {
                flags[s] &= ~(SEEN | WRITTEN_LAST);
            }
        }
        open = true;
        lastCommitted = false;
    }

    /** The series for the raw text {@code b[start, end)}, marked seen, or {@link #ABSENT}. */
    int get(byte[] b, int start, int end) {
        int h = hash(b, start, end);
        int mask = index.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            long slot = index[i];
            if (slot == 0) {
                return ABSENT;
            }
            if ((int) (slot >>> 32) == h) {
                int s = (int) slot - 1;
                if (Arrays.equals(arena, keyOffsets[s], keyOffsets[s + 1], b, start, end)) {
                    flags[s] |= SEEN;
                    return s;
                }
            }
        }
    }

    /**
     * Adds a series first read in this scrape; the caller checked it is absent.
     *
     * @param seriesLabels its labels, or null when metric relabeling drops it
     */
    int add(byte[] b, int start, int end, Labels seriesLabels) {
        if (size == refs.length) {
            resize(size + slack(size));
        }
        if (4 * (size + 1) > 3 * index.length) {
            index = new long[index.length * 2];
            reindex();
        }
        int keyStart = keyOffsets[size];
        int keyEnd = keyStart + end - start;
        if (keyEnd > arena.length || keyEnd < 0) {
            arena = Arrays.copyOf(arena, Math.max(keyEnd, arena.length + slack(arena.length)));
        }
        System.arraycopy(b, start, arena, keyStart, end - start);
        int s = size++;
        keyOffsets[s + 1] = keyEnd;
        refs[s] = 0;
        labels[s] = seriesLabels;
        flags[s] = SEEN;
        insert(hash(b, start, end), s);
        return s;
    }

    long ref(int series) {
        return refs[series];
    }

    void setRef(int series, long ref) {
        refs[series] = ref;
    }

    Labels labels(int series) {
        return labels[series];
    }

    /** Whether metric relabeling drops the series. */
    boolean dropped(int series) {
        return labels[series] == null;
    }

    /** Records whether the series' latest sample carried its own timestamp. */
    void setOwnTimestamps(int series, boolean own) {
        flags[series] = (byte) (own ? flags[series] | OWN_TIMESTAMPS : flags[series] & ~OWN_TIMESTAMPS);
    }

    /**
     * Ends a scrape that wrote its samples. Series the previous scrape wrote but this one did not
     * are passed to {@code gone} (once per label set); every series this scrape did not read is
     * forgotten, as Prometheus flushes its cache after a successful scrape. Series numbers passed
     * to {@code gone} are valid only during the call; afterwards the numbers change.
     */
    void commitIteration(IntConsumer gone) {
        List<Integer> candidates = null;
        int kept = 0;
        for (int s = 0; s < size; s++) {
            byte f = flags[s];
            if ((f & SEEN) != 0) {
                kept++;
            } else if (isTrackedWrittenLast(s)) {
                if (candidates == null) {
                    candidates = new ArrayList<>();
                }
                candidates.add(s);
            }
        }
        if (candidates != null) {
            reportGone(candidates, gone);
        }
        for (int s = 0; s < size; s++) {
            byte f = flags[s];
            flags[s] = (f & SEEN) != 0 ? (byte) ((f & OWN_TIMESTAMPS) | WRITTEN_LAST | EVER_WRITTEN) : 0;
        }
        if (kept != size) {
            compact(EVER_WRITTEN);
        }
        trim();
        open = false;
        lastCommitted = true;
    }

    /**
     * Ends a scrape that wrote nothing of its body. Series the previous scrape wrote are passed to
     * {@code gone}; series no scrape ever wrote are forgotten with their refs, so a target failing
     * with ever-changing bodies cannot grow the cache.
     */
    void abortIteration(IntConsumer gone) {
        boolean neverWritten = false;
        for (int s = 0; s < size; s++) {
            if ((flags[s] & EVER_WRITTEN) == 0) {
                neverWritten = true;
            } else if (isTrackedWrittenLast(s)) {
                gone.accept(s);
            }
        }
        for (int s = 0; s < size; s++) {
            flags[s] &= ~(SEEN | WRITTEN_LAST);
        }
        if (neverWritten) {
            compact(EVER_WRITTEN);
        }
        trim();
        open = false;
        lastCommitted = false;
    }

    /** Every tracked label set the latest scrape wrote (none when it failed), once each. */
    void forEachLive(IntConsumer action) {
        if (open || !lastCommitted) {
            return;
        }
        Set<Labels> reported = new HashSet<>();
        for (int s = 0; s < size; s++) {
            if (isTrackedWrittenLast(s) && reported.add(labels[s])) {
                action.accept(s);
            }
        }
    }

    int size() {
        return size;
    }

    private boolean isTrackedWrittenLast(int s) {
        return (flags[s] & (WRITTEN_LAST | OWN_TIMESTAMPS)) == WRITTEN_LAST && labels[s] != null;
    }

    /**
     * A series can appear under several raw spellings (label order, spacing); only report label
     * sets that no line of this scrape still carries.
     */
    private void reportGone(List<Integer> candidates, IntConsumer gone) {
        Set<Labels> present = new HashSet<>();
        for (int s = 0; s < size; s++) {
            if ((flags[s] & SEEN) != 0 && labels[s] != null) {
                present.add(labels[s]);
            }
        }
        Set<Labels> reported = new HashSet<>();
        for (int s : candidates) {
            if (!present.contains(labels[s]) && reported.add(labels[s])) {
                gone.accept(s);
            }
        }
    }

    /** Keeps the series whose flags have {@code keep} set, in order, moving them down in place. */
    private void compact(byte keep) {
        int kept = 0;
        int arenaEnd = 0;
        for (int s = 0; s < size; s++) {
            if ((flags[s] & keep) == 0) {
                continue;
            }
            int keyStart = keyOffsets[s];
            int keyLength = keyOffsets[s + 1] - keyStart;
            // Destinations never pass their sources, so moving down in place is safe.
            System.arraycopy(arena, keyStart, arena, arenaEnd, keyLength);
            refs[kept] = refs[s];
            labels[kept] = labels[s];
            flags[kept] = flags[s];
            keyOffsets[kept] = arenaEnd;
            arenaEnd += keyLength;
            kept++;
        }
        Arrays.fill(labels, kept, size, null);
        keyOffsets[kept] = arenaEnd;
        size = kept;
        reindex();
    }

    /**
     * Growth comes in steps of an eighth, and a scrape's end gives back more slack than a
     * quarter: a target's series count is mostly stable, and every byte per series counts.
     */
    private void trim() {
        if (refs.length - size > slack(size) * 2) {
            resize(size + slack(size));
        }
        int arenaUsed = keyOffsets[size];
        if (arena.length - arenaUsed > slack(arenaUsed) * 2) {
            arena = Arrays.copyOf(arena, arenaUsed + slack(arenaUsed));
        }
        int indexLength = Math.max(INITIAL_CAPACITY * 2, Integer.highestOneBit(Math.max(1, size)) * 2);
        if (4 * size >= 3 * indexLength) {
            indexLength *= 2;
        }
        if (index.length > indexLength) {
            index = new long[indexLength];
            reindex();
        }
    }

    private static int slack(int used) {
        return Math.max(16, used >> 3);
    }

    private void resize(int capacity) {
        refs = Arrays.copyOf(refs, capacity);
        labels = Arrays.copyOf(labels, capacity);
        flags = Arrays.copyOf(flags, capacity);
        keyOffsets = Arrays.copyOf(keyOffsets, capacity + 1);
    }

    private void reindex() {
        Arrays.fill(index, 0);
        for (int s = 0; s < size; s++) {
            insert(hash(arena, keyOffsets[s], keyOffsets[s + 1]), s);
        }
    }

    private void insert(int hash, int series) {
        int mask = index.length - 1;
        int i = hash & mask;
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = ((long) hash << 32) | (series + 1);
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
