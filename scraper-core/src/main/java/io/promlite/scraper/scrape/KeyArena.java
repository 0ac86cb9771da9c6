package io.promlite.scraper.scrape;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * A set of byte strings numbered 0..size-1 in insertion order, stored back to back in one byte
 * array and found through an open-addressing table of longs that holds each key's hash next to
 * its number. A lookup touches one table slot and the arena; a key costs its bytes plus about
 * 12–20 bytes, and no object. The scrape caches keep their per-key data in arrays indexed by
 * these numbers. Not thread-safe.
 */
final class KeyArena {
    /** What {@link #find} returns for an absent key. */
    static final int ABSENT = -1;

    /** Told where each kept key moves when {@link #retain} compacts. */
    interface Mover {
        void move(int from, int to);
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int MIN_INDEX = 32;

    /** Key i is {@code bytes[offsets[i], offsets[i + 1])}. */
    private int[] offsets;
    private byte[] bytes;
    /** 0 for a free slot, else the key's hash in the high half and its number + 1 in the low half. */
    private long[] index = new long[MIN_INDEX];
    private int size;

    KeyArena(int initialKeys) {
        offsets = new int[initialKeys + 1];
        bytes = new byte[initialKeys * 32];
    }

    int size() {
        return size;
    }

    /** How many keys fit before the owner's arrays must grow. */
    int capacity() {
        return offsets.length - 1;
    }

    /** The bytes holding key {@code k} at {@code [start(k), end(k))}; valid until the next add or retain. */
    byte[] bytes() {
        return bytes;
    }

    int start(int k) {
        return offsets[k];
    }

    int end(int k) {
        return offsets[k + 1];
    }

    /** The number of {@code b[start, end)}, or {@link #ABSENT}. */
    int find(byte[] b, int start, int end) {
        int h = hash(b, start, end);
        int mask = index.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            long slot = index[i];
            if (slot == 0) {
                return ABSENT;
            }
            if ((int) (slot >>> 32) == h) {
                int k = (int) slot - 1;
                if (Arrays.equals(bytes, offsets[k], offsets[k + 1], b, start, end)) {
                    return k;
                }
            }
        }
    }

    /** Whether key {@code k} (which must exist) is {@code b[start, end)}. */
    boolean matches(int k, byte[] b, int start, int end) {
        return Arrays.equals(bytes, offsets[k], offsets[k + 1], b, start, end);
    }

    /**
     * Adds {@code b[start, end)}, which the caller checked is absent, and returns its number
     * (the old size). The owner grows its arrays to {@link #capacity()} first when it is full.
     */
    int add(byte[] b, int start, int end) {
        if (size == capacity()) {
            offsets = Arrays.copyOf(offsets, size + slack(size) + 1);
        }
        if (4 * (size + 1) > 3 * index.length) {
            index = new long[index.length * 2];
            reindex();
        }
        int keyStart = offsets[size];
        int keyEnd = keyStart + end - start;
        if (keyEnd > bytes.length || keyEnd < 0) {
            bytes = Arrays.copyOf(bytes, Math.max(keyEnd, bytes.length + slack(bytes.length)));
        }
        System.arraycopy(b, start, bytes, keyStart, end - start);
        int k = size++;
        offsets[k + 1] = keyEnd;
        insert(hash(b, start, end), k);
        return k;
    }

    /** Keeps the keys {@code keep} accepts, in order, renumbered from 0; {@code mover} moves their data. */
    void retain(IntPredicate keep, Mover mover) {
        int kept = 0;
        int end = 0;
        for (int k = 0; k < size; k++) {
            if (!keep.test(k)) {
                continue;
            }
            int keyStart = offsets[k];
            int length = offsets[k + 1] - keyStart;
            // Destinations never pass their sources, so moving down in place is safe.
            System.arraycopy(bytes, keyStart, bytes, end, length);
            offsets[kept] = end;
            end += length;
            if (kept != k) {
                mover.move(k, kept);
            }
            kept++;
        }
        offsets[kept] = end;
        size = kept;
        reindex();
    }

    /**
     * Gives back slack beyond a quarter of what is used: growth comes in steps of an eighth, and
     * a target's key count is mostly stable, so every byte per key counts.
     */
    void trim() {
        if (capacity() - size > 2 * slack(size)) {
            offsets = Arrays.copyOf(offsets, size + slack(size) + 1);
        }
        int used = offsets[size];
        if (bytes.length - used > 2 * slack(used)) {
            bytes = Arrays.copyOf(bytes, used + slack(used));
        }
        int indexLength = Math.max(MIN_INDEX, Integer.highestOneBit(Math.max(1, size)) * 2);
        if (4 * size >= 3 * indexLength) {
            indexLength *= 2;
        }
        if (index.length > indexLength) {
            index = new long[indexLength];
            reindex();
        }
    }

    /** How much an array holding {@code used} entries grows by, and the slack it may keep. */
    static int slack(int used) {
        return Math.max(16, used >> 3);
    }

    private void reindex() {
        Arrays.fill(index, 0);
        for (int k = 0; k < size; k++) {
            insert(hash(bytes, offsets[k], offsets[k + 1]), k);
        }
    }

    private void insert(int hash, int key) {
        int mask = index.length - 1;
        int i = hash & mask;
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = ((long) hash << 32) | (key + 1);
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
