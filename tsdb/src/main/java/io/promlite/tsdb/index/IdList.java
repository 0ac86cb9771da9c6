package io.promlite.tsdb.index;

import java.util.Arrays;

/**
 * A growable list of series ids below {@link #LIMIT} held in 4 bytes each, for the head's
 * postings: ids are stored offset by 2<sup>31</sup>, so signed int order is id order.
 */
final class IdList {
    /** Ids from this on do not fit. */
    static final long LIMIT = 1L << 32;

    private int[] a = new int[1];
    private int size;

    void add(long id) {
        if (size == a.length) {
            // Grows by half, not double: the head holds these for every series, so slack is memory.
            a = Arrays.copyOf(a, size + Math.max(1, size >> 1));
        }
        a[size++] = (int) (id + Integer.MIN_VALUE);
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    long last() {
        return (long) a[size - 1] - Integer.MIN_VALUE;
    }

    /** Sorts and removes duplicates in place. */
    void sortDistinct() {
        Arrays.sort(a, 0, size);
        int w = 0;
        for (int i = 0; i < size; i++) {
            if (w == 0 || a[w - 1] != a[i]) {
                a[w++] = a[i];
            }
        }
        size = w;
    }

    /** Removes in place, keeping the order, the ids found in {@code sorted} (sorted, distinct). */
    void removeAll(LongList sorted) {
        int w = 0;
        for (int i = 0; i < size; i++) {
            if (!contains(sorted, (long) a[i] - Integer.MIN_VALUE)) {
                a[w++] = a[i];
            }
        }
        size = w;
    }

    private static boolean contains(LongList sorted, long id) {
        int lo = 0;
        int hi = sorted.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = sorted.get(mid);
            if (v == id) {
                return true;
            } else if (v < id) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return false;
    }

    /** Appends the ids, in order, to {@code out}. */
    void addTo(LongList out) {
        for (int i = 0; i < size; i++) {
            out.add((long) a[i] - Integer.MIN_VALUE);
        }
    }
}
