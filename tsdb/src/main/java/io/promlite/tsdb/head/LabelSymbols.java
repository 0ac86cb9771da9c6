package io.promlite.tsdb.head;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.store.ByteCodec;
import io.promlite.tsdb.store.ByteReader;
import io.promlite.tsdb.store.ByteWriter;
import io.promlite.tsdb.store.LabelsCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The head's encoding of label sets: {@link LabelsCodec}'s layout with each string replaced by its
 * number in a table of label strings, as Prometheus's index numbers its symbols. Label sets repeat
 * a few strings across many series ({@code __name__}, {@code instance}, metric names, {@code le}
 * values), so a set of five pairs takes about 12 bytes instead of about 90, for every active series.
 * Decoding is array lookups, and the decoded sets share one instance of each string.
 *
 * <p>Encoding: the length of the set's {@link LabelsCodec} encoding and the pair count as varints,
 * then per string a varint code: {@code 2·n} for string number {@code n}, or {@code 2·len+1}
 * followed by {@code len} UTF-8 bytes for a string spelled out. The leading length lets remote
 * write, which expands a set per forwarded sample ({@link #writeStored}), size its reused buffer
 * before the one pass. The table is bounded and never forgets: once it is full, new strings are
 * spelled out, so memory stays bounded whatever the label cardinality (strings only dead series
 * used stay until the process ends) and a full table costs only the savings. Strings are spelled
 * out too where that is shorter.
 *
 * <p>Thread-safe. Numbering happens under a lock (only for series being created); lookups read
 * a published array without locking, and fall back to the lock for a number they do not see yet.
 */
final class LabelSymbols {
    /** The table the head's series use: one per process, as strings are not per database. */
    static final LabelSymbols SHARED = new LabelSymbols(1 << 15);

    /** A numbered string, and its UTF-8 bytes after their varint length as {@link LabelsCodec} writes them. */
    private record Symbol(String string, byte[] lengthPrefixed) {
    }

    private final int capacity;
    private final Map<String, Integer> numbers = new HashMap<>();
    /** Symbols by number; replaced by a larger copy under the lock, so readers see a consistent array. */
    private volatile Symbol[] symbols = new Symbol[64];
    private int size;

    LabelSymbols(int capacity) {
        this.capacity = capacity;
    }

    /** The head encoding of a label set in {@link LabelsCodec}'s encoding. */
    byte[] encode(byte[] stored) {
        ByteReader r = new ByteReader().reset(stored, 0, stored.length);
        ByteWriter w = new ByteWriter(Math.max(8, stored.length / 4));
        int strings = 2 * (int) r.uvarint();
        w.uvarint(stored.length).uvarint(strings / 2);
        for (int i = 0; i < strings; i++) {
            int len = (int) r.uvarint();
            int number = number(stored, r.position(), len);
            long code = 2L * number;
            long literal = 2L * len + 1;
            if (number >= 0 && ByteCodec.uvarintSize(code) <= ByteCodec.uvarintSize(literal) + len) {
                w.uvarint(code);
            } else {
                w.uvarint(literal).bytes(stored, r.position(), len);
            }
            r.skip(len);
        }
        return w.toArray();
    }

    /** The label set of a head encoding. */
    Labels decode(byte[] encoded) {
        ByteReader r = new ByteReader().reset(encoded, 0, encoded.length);
        r.uvarint();
        String[] pairs = new String[2 * (int) r.uvarint()];
        for (int i = 0; i < pairs.length; i++) {
            long code = r.uvarint();
            if ((code & 1) == 0) {
                pairs[i] = symbol((int) (code >>> 1)).string;
            } else {
                int len = (int) (code >>> 1);
                pairs[i] = new String(encoded, r.position(), len, StandardCharsets.UTF_8);
                r.skip(len);
            }
        }
        // Encoded from a Labels, so already in order.
        return Labels.ofSorted(pairs);
    }

    /** {@link LabelsCodec}'s encoding of the label set of a head encoding, in a new array. */
    byte[] toStored(byte[] encoded) {
        byte[] out = new byte[storedLength(encoded)];
        writeStored(encoded, out, 0);
        return out;
    }

    /** The length of {@link LabelsCodec}'s encoding of the label set of a head encoding. */
    static int storedLength(byte[] encoded) {
        return (int) varintAt(encoded, 0);
    }

    /**
     * Writes {@link LabelsCodec}'s encoding of the label set of a head encoding into {@code out}
     * from {@code at}, which has {@link #storedLength} bytes of room, in one pass; returns where
     * it ends. Reads varints in place rather than through a {@link ByteReader}: remote write calls
     * this per forwarded sample, and must not allocate.
     */
    int writeStored(byte[] encoded, byte[] out, int at) {
        int p = ByteCodec.uvarintSize(varintAt(encoded, 0));
        long pairs = varintAt(encoded, p);
        int pairsLength = ByteCodec.uvarintSize(pairs);
        System.arraycopy(encoded, p, out, at, pairsLength);
        p += pairsLength;
        at += pairsLength;
        for (long i = 2 * pairs; i > 0; i--) {
            long code = varintAt(encoded, p);
            p += ByteCodec.uvarintSize(code);
            if ((code & 1) == 0) {
                byte[] b = symbol((int) (code >>> 1)).lengthPrefixed;
                System.arraycopy(b, 0, out, at, b.length);
                at += b.length;
            } else {
                int len = (int) (code >>> 1);
                at = ByteCodec.putUvarint(out, at, len);
                System.arraycopy(encoded, p, out, at, len);
                at += len;
                p += len;
            }
        }
        return at;
    }

    /** The minimally encoded uvarint at {@code b[p]}, as {@link ByteWriter} writes them. */
    private static long varintAt(byte[] b, int p) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b[p++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
    }

    /**
     * A head encoding of a label set in {@link LabelsCodec}'s encoding with every string spelled
     * out: it numbers no strings, and any table decodes it.
     */
    static byte[] spelledOut(byte[] stored) {
        ByteReader r = new ByteReader().reset(stored, 0, stored.length);
        ByteWriter w = new ByteWriter(stored.length + 8);
        int strings = 2 * (int) r.uvarint();
        w.uvarint(stored.length).uvarint(strings / 2);
        for (int i = 0; i < strings; i++) {
            int len = (int) r.uvarint();
            w.uvarint(2L * len + 1).bytes(stored, r.position(), len);
            r.skip(len);
        }
        return w.toArray();
    }

    /** Whether a head encoding holds exactly {@code labels}; allocates nothing for numbered strings. */
    boolean matches(byte[] encoded, Labels labels) {
        ByteReader r = new ByteReader().reset(encoded, 0, encoded.length);
        r.uvarint();
        if (r.uvarint() != labels.size()) {
            return false;
        }
        for (int i = 0; i < 2 * labels.size(); i++) {
            String s = (i & 1) == 0 ? labels.name(i >> 1) : labels.value(i >> 1);
            long code = r.uvarint();
            if ((code & 1) == 0) {
                if (!symbol((int) (code >>> 1)).string.equals(s)) {
                    return false;
                }
            } else {
                int len = (int) (code >>> 1);
                if (!LabelsCodec.sameString(encoded, r.position(), len, s)) {
                    return false;
                }
                r.skip(len);
            }
        }
        return true;
    }

    /** How many strings have numbers. */
    synchronized int size() {
        return size;
    }

    /** The number of the UTF-8 string {@code b[off, off+len)}, given one if there is room, else -1. */
    private synchronized int number(byte[] b, int off, int len) {
        String s = new String(b, off, len, StandardCharsets.UTF_8);
        Integer known = numbers.get(s);
        if (known != null) {
            return known;
        }
        if (size == capacity) {
            return -1;
        }
        Symbol[] current = symbols;
        if (size == current.length) {
            Symbol[] grown = new Symbol[Math.min(capacity, 2 * current.length)];
            System.arraycopy(current, 0, grown, 0, size);
            current = grown;
        }
        byte[] lengthPrefixed = new byte[ByteCodec.uvarintSize(len) + len];
        System.arraycopy(b, off, lengthPrefixed, ByteCodec.putUvarint(lengthPrefixed, 0, len), len);
        current[size] = new Symbol(s, lengthPrefixed);
        symbols = current;
        numbers.put(s, size);
        return size++;
    }

    private Symbol symbol(int number) {
        Symbol[] current = symbols;
        if (number < current.length && current[number] != null) {
            return current[number];
        }
        // Numbered by another thread after this one read the array: the lock orders the two.
        synchronized (this) {
            return symbols[number];
        }
    }
}
