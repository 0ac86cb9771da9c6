package io.promlite.tsdb.store;

import io.promlite.tsdb.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Label sets as bytes: a varint pair count, then length-prefixed UTF-8 names and values. */
public final class LabelsCodec {
    private LabelsCodec() {
    }

    public static byte[] encode(Labels labels) {
        ByteWriter w = new ByteWriter(64);
        w.uvarint(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            w.lengthPrefixed(labels.name(i).getBytes(StandardCharsets.UTF_8));
            w.lengthPrefixed(labels.value(i).getBytes(StandardCharsets.UTF_8));
        }
        return w.toArray();
    }

    public static Labels decode(byte[] b) {
        ByteReader r = new ByteReader().reset(b, 0, b.length);
        int n = (int) r.uvarint();
        String[] pairs = new String[2 * n];
        for (int i = 0; i < pairs.length; i++) {
            int len = (int) r.uvarint();
            pairs[i] = new String(b, r.position(), len, StandardCharsets.UTF_8);
            r.skip(len);
        }
        // Encoded from a Labels, so already in order.
        return Labels.ofSorted(pairs);
    }

    /**
     * Decodes many label sets sharing one instance per distinct string. The series a selector
     * matches repeat the same names and most values ({@code __name__}, {@code job}, {@code le}…),
     * so a reader decoding thousands of them allocates each string once, and later hashing and
     * comparing of the shared strings hits their cached hash codes and identical references.
     * Not thread-safe; meant for one read.
     */
    public static final class Decoder {
        private final ByteReader reader = new ByteReader();
        private String[] strings = new String[256];
        private int[] hashes = new int[256];
        private int size;

        public Labels decode(byte[] b) {
            ByteReader r = reader.reset(b, 0, b.length);
            int n = (int) r.uvarint();
            String[] pairs = new String[2 * n];
            for (int i = 0; i < pairs.length; i++) {
                int len = (int) r.uvarint();
                pairs[i] = intern(b, r.position(), len);
                r.skip(len);
            }
            return Labels.ofSorted(pairs);
        }

        private String intern(byte[] b, int off, int len) {
            int h = stringHash(b, off, len);
            int mask = strings.length - 1;
            for (int slot = mix(h) & mask; ; slot = (slot + 1) & mask) {
                String s = strings[slot];
                if (s == null) {
                    s = new String(b, off, len, StandardCharsets.UTF_8);
                    add(slot, h, s);
                    return s;
                }
                if (hashes[slot] == h && sameString(b, off, len, s)) {
                    return s;
                }
            }
        }

        private void add(int slot, int h, String s) {
            strings[slot] = s;
            hashes[slot] = h;
            if (++size * 2 > strings.length) {
                String[] oldStrings = strings;
                int[] oldHashes = hashes;
                strings = new String[oldStrings.length * 2];
                hashes = new int[oldStrings.length * 2];
                int mask = strings.length - 1;
                for (int i = 0; i < oldStrings.length; i++) {
                    if (oldStrings[i] != null) {
                        int to = mix(oldHashes[i]) & mask;
                        while (strings[to] != null) {
                            to = (to + 1) & mask;
                        }
                        strings[to] = oldStrings[i];
                        hashes[to] = oldHashes[i];
                    }
                }
            }
        }

        /** Spreads String hash codes, whose low bits cluster for short similar strings. */
        private static int mix(int h) {
            h *= 0x9E3779B9;
            return h ^ (h >>> 16);
        }
    }

    /**
     * A 64-bit hash of a label set, equal for {@link #hash(byte[])} of its encoding. Built from
     * the strings' own (cached) hash codes, so hashing a {@link Labels} allocates nothing.
     */
    public static long hash(Labels labels) {
        long x = SEED;
        for (int i = 0; i < labels.size(); i++) {
            x = mix(x, labels.name(i).hashCode());
            x = mix(x, labels.value(i).hashCode());
        }
        return x;
    }

    /** {@link #hash(Labels)} of the label set {@code encoded} holds, without decoding ASCII strings. */
    public static long hash(byte[] encoded) {
        ByteReader r = new ByteReader().reset(encoded, 0, encoded.length);
        int strings = 2 * (int) r.uvarint();
        long x = SEED;
        for (int i = 0; i < strings; i++) {
            int len = (int) r.uvarint();
            x = mix(x, stringHash(encoded, r.position(), len));
            r.skip(len);
        }
        return x;
    }

    /**
     * Whether {@code encoded} holds exactly {@code labels}; compares ASCII strings in place, so
     * the usual case allocates nothing.
     */
    public static boolean matches(byte[] encoded, Labels labels) {
        ByteReader r = new ByteReader().reset(encoded, 0, encoded.length);
        if (r.uvarint() != labels.size()) {
            return false;
        }
        for (int i = 0; i < 2 * labels.size(); i++) {
            String s = (i & 1) == 0 ? labels.name(i >> 1) : labels.value(i >> 1);
            int len = (int) r.uvarint();
            if (!sameString(encoded, r.position(), len, s)) {
                return false;
            }
            r.skip(len);
        }
        return true;
    }

    /**
     * Compares two encoded label sets as {@link Labels#compareTo} compares them decoded, reading
     * strings in place: UTF-8 byte order is code point order, which is UTF-16 order (Java's)
     * except between supplementary characters and U+E000..U+FFFF, so strings first differing in
     * a non-ASCII byte are decoded and compared as strings.
     */
    public static int compare(byte[] a, byte[] b) {
        long countA = uvarintAt(a, 0);
        long countB = uvarintAt(b, 0);
        int stringsA = 2 * (int) (countA >>> 32);
        int stringsB = 2 * (int) (countB >>> 32);
        int pa = (int) countA;
        int pb = (int) countB;
        for (int i = 0; i < Math.min(stringsA, stringsB); i++) {
            long la = uvarintAt(a, pa);
            long lb = uvarintAt(b, pb);
            int lenA = (int) (la >>> 32);
            int lenB = (int) (lb >>> 32);
            int offA = (int) la;
            int offB = (int) lb;
            int m = Arrays.mismatch(a, offA, offA + lenA, b, offB, offB + lenB);
            if (m >= 0) {
                if (m == lenA || m == lenB) {
                    // One is a prefix of the other, in bytes and so in characters.
                    return Integer.compare(lenA, lenB);
                }
                int x = a[offA + m];
                int y = b[offB + m];
                if (x >= 0 && y >= 0) {
                    return Integer.compare(x, y);
                }
                return new String(a, offA, lenA, StandardCharsets.UTF_8)
                        .compareTo(new String(b, offB, lenB, StandardCharsets.UTF_8));
            }
            pa = offA + lenA;
            pb = offB + lenB;
        }
        return Integer.compare(stringsA, stringsB);
    }

    /** The unsigned varint at {@code b[pos]}: its value in the high 32 bits, the position after it in the low. */
    private static long uvarintAt(byte[] b, int pos) {
        int v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[pos++];
            v |= (x & 0x7f) << shift;
            if (x >= 0) {
                return ((long) v << 32) | pos;
            }
        }
    }

    private static final long SEED = 0x9E3779B97F4A7C15L;

    private static long mix(long x, int h) {
        x = (x ^ (h & 0xffffffffL)) * 0xBF58476D1CE4E5B9L;
        return x ^ (x >>> 31);
    }

    /** {@link String#hashCode()} of the UTF-8 string at {@code b[off, off+len)}. */
    private static int stringHash(byte[] b, int off, int len) {
        int h = 0;
        for (int i = off; i < off + len; i++) {
            if (b[i] < 0) {
                return new String(b, off, len, StandardCharsets.UTF_8).hashCode();
            }
            h = 31 * h + b[i];
        }
        return h;
    }

    /** Whether the UTF-8 string at {@code b[off, off+len)} equals {@code s}; allocates nothing for ASCII. */
    public static boolean sameString(byte[] b, int off, int len, String s) {
        if (len == s.length()) {
            int i = 0;
            while (i < len && b[off + i] >= 0 && b[off + i] == s.charAt(i)) {
                i++;
            }
            if (i == len) {
                return true;
            }
            if (b[off + i] >= 0) {
                return false;
            }
        } else if (len < s.length()) {
            // UTF-8 never takes fewer bytes than UTF-16 chars.
            return false;
        }
        return s.equals(new String(b, off, len, StandardCharsets.UTF_8));
    }
}
