package io.promlite.tsdb.index;

import java.util.Arrays;
import java.util.List;

/** A growable list of primitive longs with set operations on sorted, distinct contents. */
public final class LongList {
    private long[] a;
    private int size;

    public LongList() {
        this(8);
    }

    public LongList(int capacity) {
        a = new long[Math.max(1, capacity)];
    }

    public void add(long v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, size * 2);
        }
        a[size++] = v;
    }

    public void addAll(LongList other) {
        if (size + other.size > a.length) {
            a = Arrays.copyOf(a, Math.max(a.length * 2, size + other.size));
        }
        System.arraycopy(other.a, 0, a, size, other.size);
        size += other.size;
    }

    /** A copy sized to its contents. */
    public LongList copy() {
        LongList out = new LongList(size);
        System.arraycopy(a, 0, out.a, 0, size);
        out.size = size;
        return out;
    }

    public void clear() {
        size = 0;
    }

    public long get(int i) {
        return a[i];
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Sorts and removes duplicates in place. */
    public LongList sortDistinct() {
        Arrays.sort(a, 0, size);
        int w = 0;
        for (int i = 0; i < size; i++) {
            if (w == 0 || a[w - 1] != a[i]) {
                a[w++] = a[i];
            }
        }
        size = w;
        return this;
    }

    public static LongList union(List<LongList> lists) {
        int total = 0;
        for (LongList l : lists) {
            total += l.size;
        }
        LongList out = new LongList(total);
        for (LongList l : lists) {
            out.addAll(l);
        }
        return out.sortDistinct();
    }

    /** Both inputs sorted and distinct. */
    public static LongList intersect(LongList x, LongList y) {
        LongList out = new LongList(Math.min(x.size, y.size));
        int i = 0;
        int j = 0;
        while (i < x.size && j < y.size) {
            long a = x.a[i];
            long b = y.a[j];
            if (a == b) {
                out.add(a);
                i++;
                j++;
            } else if (a < b) {
                i++;
            } else {
                j++;
            }
        }
        return out;
    }

    /** {@code x} without the elements of {@code y}; both sorted and distinct. */
    public static LongList subtract(LongList x, LongList y) {
        LongList out = new LongList(x.size);
        int j = 0;
        for (int i = 0; i < x.size; i++) {
            long v = x.a[i];
            while (j < y.size && y.a[j] < v) {
                j++;
            }
            if (j >= y.size || y.a[j] != v) {
                out.add(v);
            }
        }
        return out;
    }
}
