package io.promlite.tsdb.index;

import java.util.Arrays;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The day partitions that hold data, so reads walk only those — a store whose samples span
 * years sparsely (or include one absurd timestamp) does not loop over every day in between.
 * Thread-safe. Boxes on update, which happens once per series per new day.
 */
public final class PartitionList {
    private final ConcurrentSkipListSet<Integer> partitions = new ConcurrentSkipListSet<>();

    public void add(int partition) {
        partitions.add(partition);
    }

    /** Forgets partitions before {@code partition}. */
    public void removeBefore(int partition) {
        partitions.headSet(partition, false).clear();
    }

    /** The partitions in {@code [from, to]}, ascending. */
    public int[] between(int from, int to) {
        if (from > to) {
            return new int[0];
        }
        // A plain walk: every select asks, and a stream pipeline costs more than the handful of days it lists.
        NavigableSet<Integer> range = partitions.subSet(from, true, to, true);
        int[] out = new int[8];
        int n = 0;
        for (Integer p : range) {
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = p;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }
}
