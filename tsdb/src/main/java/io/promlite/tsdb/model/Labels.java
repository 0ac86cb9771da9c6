package io.promlite.tsdb.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * An immutable label set, sorted by name, as Prometheus identifies a series.
 *
 * <p>Empty-valued labels are dropped on construction (Prometheus treats a label with an empty
 * value as absent). Names and values are kept in one flat array (name0, value0, name1, …) so a
 * label set costs two objects plus its strings, which are shared between label sets where
 * possible ({@link LabelStrings}).
 */
public final class Labels implements Comparable<Labels> {
    public static final String METRIC_NAME = "__name__";
    public static final Labels EMPTY = new Labels(new String[0]);

    private final String[] pairs;
    private int hash;

    private Labels(String[] sortedPairs) {
        this.pairs = sortedPairs;
    }

    /** Builds a label set from alternating names and values, in any order. */
    public static Labels of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("labels need name/value pairs, got an odd count");
        }
        Builder b = new Builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.set(namesAndValues[i], namesAndValues[i + 1]);
        }
        return b.build();
    }

    /**
     * Like {@link #of}, for pairs already in order (names ascending and distinct, values non-empty)
     * as a stored encoding holds them: no sorting map. Takes ownership of the array. Pairs out of
     * order go the way of {@link #of}.
     */
    public static Labels ofSorted(String... pairs) {
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1].isEmpty() || (i > 0 && pairs[i - 2].compareTo(pairs[i]) >= 0)) {
                return of(pairs);
            }
        }
        if (pairs.length % 2 != 0) {
            return of(pairs);
        }
        if (pairs.length == 0) {
            return EMPTY;
        }
        for (int i = 0; i < pairs.length; i++) {
            pairs[i] = LabelStrings.intern(pairs[i]);
        }
        return new Labels(pairs);
    }

    public static Labels fromMap(Map<String, String> map) {
        Builder b = new Builder();
        map.forEach(b::set);
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        for (int i = 0; i < pairs.length; i += 2) {
            b.map.put(pairs[i], pairs[i + 1]);
        }
        return b;
    }

    public int size() {
        return pairs.length / 2;
    }

    public boolean isEmpty() {
        return pairs.length == 0;
    }

    public String name(int i) {
        return pairs[2 * i];
    }

    public String value(int i) {
        return pairs[2 * i + 1];
    }

    /** The value of {@code name}, or {@code null} when the label is absent. */
    public String get(String name) {
        int i = indexOf(name);
        return i < 0 ? null : pairs[2 * i + 1];
    }

    /** The value of {@code name}, or the empty string when absent (Prometheus's matcher view). */
    public String getOrEmpty(String name) {
        String v = get(name);
        return v == null ? "" : v;
    }

    public boolean has(String name) {
        return indexOf(name) >= 0;
    }

    /** The metric name ({@code __name__}), or {@code null}. */
    public String metricName() {
        return get(METRIC_NAME);
    }

    private int indexOf(String name) {
        int lo = 0;
        int hi = size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = pairs[2 * mid].compareTo(name);
            if (c == 0) {
                return mid;
            } else if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < pairs.length; i += 2) {
            action.accept(pairs[i], pairs[i + 1]);
        }
    }

    public List<String> names() {
        List<String> names = new ArrayList<>(size());
        for (int i = 0; i < pairs.length; i += 2) {
            names.add(pairs[i]);
        }
        return names;
    }

    public Map<String, String> toMap() {
        Map<String, String> m = new TreeMap<>();
        forEach(m::put);
        return m;
    }

    /** A copy without the named labels. */
    public Labels without(String... names) {
        Builder b = toBuilder();
        for (String n : names) {
            b.delete(n);
        }
        return b.build();
    }

    /**
     * The labels whose names {@code keep} accepts, sharing this set's strings: for short-lived
     * results such as a query's grouping keys, cheaper than a {@link Builder}.
     */
    public Labels filter(Predicate<String> keep) {
        String[] kept = new String[pairs.length];
        int n = 0;
        for (int i = 0; i < pairs.length; i += 2) {
            if (keep.test(pairs[i])) {
                kept[n++] = pairs[i];
                kept[n++] = pairs[i + 1];
            }
        }
        return n == pairs.length ? this : n == 0 ? EMPTY : new Labels(Arrays.copyOf(kept, n));
    }

    /** A copy without {@code __name__}, as Prometheus drops it from most function results. */
    public Labels withoutMetricName() {
        return has(METRIC_NAME) ? without(METRIC_NAME) : this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Labels other && Arrays.equals(pairs, other.pairs);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            // Arrays.hashCode's base-31 sum collides for label sets differing in similar values
            // (a third of them on a typical target's series), slowing series lookups: mix instead.
            long x = 0x9E3779B97F4A7C15L;
            for (String p : pairs) {
                x = (x ^ p.hashCode()) * 0xBF58476D1CE4E5B9L;
                x ^= x >>> 31;
            }
            h = (int) (x ^ (x >>> 32));
            hash = h;
        }
        return h;
    }

    /** Prometheus's ordering: label by label, name then value; a prefix sorts first. */
    @Override
    public int compareTo(Labels o) {
        int n = Math.min(pairs.length, o.pairs.length);
        for (int i = 0; i < n; i++) {
            // Decoded and interned label sets share their strings: identity settles most pairs.
            if (pairs[i] == o.pairs[i]) {
                continue;
            }
            int c = pairs[i].compareTo(o.pairs[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(pairs.length, o.pairs.length);
    }

    /** Prometheus's rendering: {@code {__name__="up", job="x"}}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(pairs[i]).append("=\"");
            appendEscaped(sb, pairs[i + 1]);
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    /** Escapes a label value the way Go's %q does for the characters Prometheus emits. */
    static void appendEscaped(StringBuilder sb, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }

    /** A mutable staging area; setting an empty value deletes the label. */
    public static final class Builder {
        private final TreeMap<String, String> map = new TreeMap<>();

        public Builder set(String name, String value) {
            if (value == null || value.isEmpty()) {
                map.remove(name);
            } else {
                map.put(name, value);
            }
            return this;
        }

        public Builder delete(String name) {
            map.remove(name);
            return this;
        }

        public String get(String name) {
            return map.get(name);
        }

        public Labels build() {
            if (map.isEmpty()) {
                return EMPTY;
            }
            String[] p = new String[map.size() * 2];
            int i = 0;
            // Shared instances: a label set held for long (by a scrape cache) costs no string copies.
            for (Map.Entry<String, String> e : map.entrySet()) {
                p[i++] = LabelStrings.intern(e.getKey());
                p[i++] = LabelStrings.intern(e.getValue());
            }
            return new Labels(p);
        }
    }
}
