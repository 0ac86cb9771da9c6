package io.promlite.scraper.scrape;

import io.promlite.scraper.MetricMetadata;
import io.promlite.scraper.textparse.EntryType;
import io.promlite.scraper.textparse.ExpositionParser;
import io.promlite.scraper.textparse.MetricType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One target's metric metadata (HELP, TYPE, UNIT), keyed by the raw text of those lines so that
 * an unchanged line costs a hash lookup and no strings. A successful scrape replaces the published
 * metadata when any line changed; a failed one keeps the last good metadata, as Prometheus does.
 * Not thread-safe except {@link #snapshot()}; a loop's scrapes never overlap.
 */
final class MetadataCache {
    /** A range of bytes compared by content; one mutable instance probes, stored keys own copies. */
    private static final class Slice {
        byte[] bytes;
        int start;
        int end;
        int hash;

        Slice set(byte[] b, int from, int to) {
            bytes = b;
            start = from;
            end = to;
            hash = SeriesCache.hash(b, from, to);
            return this;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Slice s && s.hash == hash && Arrays.equals(bytes, start, end, s.bytes, s.start, s.end);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static final class Line {
        final EntryType kind;
        final String metric;
        final String value;
        int seen;

        Line(EntryType kind, String metric, String value) {
            this.kind = kind;
            this.metric = metric;
            this.value = value;
        }
    }

    private final Map<Slice, Line> lines = new HashMap<>();
    private final Slice probe = new Slice();
    private int iteration;
    private boolean changed;
    private volatile Map<String, MetricMetadata> published = Map.of();

    void beginIteration() {
        iteration++;
        changed = false;
    }

    /** Records the parser's current entry, which {@code kind} says is a HELP, TYPE or UNIT line. */
    void read(EntryType kind, ExpositionParser parser) {
        Line line = lines.get(probe.set(parser.buffer(), parser.lineStart(), parser.lineEnd()));
        probe.bytes = null;
        if (line == null) {
            String value = switch (kind) {
                case TYPE -> typeName(parser.type());
                case HELP -> parser.help();
                case UNIT -> parser.unit();
                default -> throw new IllegalArgumentException("not a metadata entry: " + kind);
            };
            line = new Line(kind, parser.metadataMetric(), value);
            byte[] key = Arrays.copyOfRange(parser.buffer(), parser.lineStart(), parser.lineEnd());
            lines.put(new Slice().set(key, 0, key.length), line);
            changed = true;
        }
        line.seen = iteration;
    }

    /** Publishes this scrape's metadata when it differs from the last. */
    void commitIteration() {
        for (Iterator<Line> it = lines.values().iterator(); it.hasNext(); ) {
            if (it.next().seen != iteration) {
                it.remove();
                changed = true;
            }
        }
        if (!changed) {
            return;
        }
        Map<String, String[]> byMetric = new TreeMap<>();
        for (Line line : lines.values()) {
            String[] m = byMetric.computeIfAbsent(line.metric, k -> new String[] {"unknown", "", ""});
            switch (line.kind) {
                case TYPE -> m[0] = line.value;
                case HELP -> m[1] = line.value;
                case UNIT -> m[2] = line.value;
                default -> throw new IllegalStateException("not a metadata entry: " + line.kind);
            }
        }
        Map<String, MetricMetadata> snapshot = new TreeMap<>();
        byMetric.forEach((metric, m) -> snapshot.put(metric, new MetricMetadata(m[0], m[1], m[2])));
        published = snapshot;
    }

    /** The metadata of the last successful scrape, by metric name. */
    Map<String, MetricMetadata> snapshot() {
        return published;
    }

    /** Prometheus's metadata spelling: untyped metrics are "unknown". */
    static String typeName(MetricType type) {
        return type == MetricType.UNTYPED ? "unknown" : type.name().toLowerCase(Locale.ROOT);
    }
}
