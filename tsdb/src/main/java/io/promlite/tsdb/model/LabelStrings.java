package io.promlite.tsdb.model;

/**
 * A bounded, lossy interner for label names and values. Label sets repeat the same few strings
 * across many series (names, metric names, {@code job} and {@code instance} values), and every
 * holder of a {@link Labels} (a scrape cache, a query result) would otherwise keep its own copies.
 *
 * <p>Direct-mapped: a string's hash picks one slot; a hit returns the slot's instance, a miss
 * takes the slot over. Memory stays fixed whatever the label cardinality, and the table needs no
 * lock: slots are written racily, which at worst misses a chance to share (a {@code String} is
 * immutable and safely published).
 */
final class LabelStrings {
    private static final int SLOTS = 1 << 14;
    private static final String[] TABLE = new String[SLOTS];

    private LabelStrings() {
    }

    static String intern(String s) {
        int h = s.hashCode();
        int i = (h ^ (h >>> 14)) & (SLOTS - 1);
        String cur = TABLE[i];
        if (cur != null && cur.equals(s)) {
            return cur;
        }
        TABLE[i] = s;
        return s;
    }
}
