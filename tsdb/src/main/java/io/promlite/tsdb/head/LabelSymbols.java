package io.promlite.tsdb.head;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.store.ByteCodec;
import io.promlite.tsdb.store.ByteReader;
import io.promlite.tsdb.store.ByteWriter;
import io.promlite.tsdb.store.LabelsCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The head's encoding of label sets: {@link LabelsCodec}'s layout with each string replaced by its
 * number in a table of label strings, as Prometheus's index numbers its symbols. Label sets repeat
 * a few strings across many series ({@code __name__}, {@code instance}, metric names, {@code le}
 * values), so a set of five pairs takes about 12 bytes instead of about 90, for every active series.
 * Decoding is array lookups, and the decoded sets share one instance of each string.
 *
 * <p>Encoding: a varint pair count, then per string a varint code: {@code 2·n} for string number
 * {@code n}, or {@code 2·len+1} followed by {@code len} UTF-8 bytes for a string spelled out. The
 * table is bounded and never forgets: once it is full, new strings are spelled out, so memory stays
 * bounded whatever the label cardinality (strings only dead series used stay until the process
 * ends) and a full table costs only the savings. Strings are spelled out too where that is shorter.
 *
 * <p>Thread-safe. Numbering happens under a lock (only for series being created); lookups read
 * a published array without locking, and fall back to the lock for a number they do not see yet.
 */
final class LabelSymbols {
    /** The table the head's series use: one per process, as strings are not per database. */
    static final LabelSymbols SHARED = new LabelSymbols(1 << 15);

    private record Symbol(String string, byte[] utf8) {
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
        w.uvarint(strings / 2);
        for (int i = 0; i < strings; i++) {
            int len = (int) r.uvarint();
            int number = number(stored, r.position(), len);
            long code = 2L * number;
            long literal = 2L * len + 1;
            if (number >= 0 && varintLength(code) <= varintLength(literal) + len) {
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

    /**
     * {@link LabelsCodec}'s encoding of the label set of a head encoding. Sized in a first pass and
     * written in a second, into one exact array: readers forwarding samples call this per sample.
     */
    byte[] toStored(byte[] encoded) {
        ByteReader r = new ByteReader().reset(encoded, 0, encoded.length);
        int pairs = (int) r.uvarint();
        int start = r.position();
        int size = start;
        for (int i = 0; i < 2 * pairs; i++) {
            long code = r.uvarint();
            int len = (code & 1) == 0 ? symbol((int) (code >>> 1)).utf8.length : (int) (code >>> 1);
            size += varintLength(len) + len;
            if ((code & 1) != 0) {
                r.skip(len);
            }
        }
        byte[] out = new byte[size];
        System.arraycopy(encoded, 0, out, 0, start);
        int at = start;
        r.reset(encoded, start, encoded.length);
        for (int i = 0; i < 2 * pairs; i++) {
            long code = r.uvarint();
            byte[] from = encoded;
            int off = r.position();
            int len;
            if ((code & 1) == 0) {
                from = symbol((int) (code >>> 1)).utf8;
                off = 0;
                len = from.length;
            } else {
                len = (int) (code >>> 1);
                r.skip(len);
            }
            at = ByteCodec.putUvarint(out, at, len);
            System.arraycopy(from, off, out, at, len);
            at += len;
        }
        return out;
    }

    /** Whether a head encoding holds exactly {@code labels}; allocates nothing for numbered strings. */
    boolean matches(byte[] encoded, Labels labels) {
        ByteReader r = new ByteReader().reset(encoded, 0, encoded.length);
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
        current[size] = new Symbol(s, Arrays.copyOfRange(b, off, off + len));
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

    private static int varintLength(long v) {
        return Math.max(1, (70 - Long.numberOfLeadingZeros(v)) / 7);
    }
}
