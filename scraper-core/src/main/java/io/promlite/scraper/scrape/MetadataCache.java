package io.promlite.scraper.scrape;

import io.promlite.scraper.MetricMetadata;
import io.promlite.scraper.textparse.EntryType;
import io.promlite.scraper.textparse.ExpositionParser;
import io.promlite.scraper.textparse.MetricType;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One target's metric metadata (HELP, TYPE, UNIT), keyed by the raw text of those lines so that
 * an unchanged line costs a lookup in a {@link KeyArena} and no strings or objects. A successful
 * scrape replaces the published metadata when any line changed; a failed one keeps the last good
 * metadata, as Prometheus does.
 * Not thread-safe except {@link #snapshot()}; a loop's scrapes never overlap.
 */
final class MetadataCache {
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

    /** The raw text of every HELP, TYPE and UNIT line; {@code lines} holds what each says. */
    private final KeyArena keys = new KeyArena(16);
    private Line[] lines = new Line[16];
    private int iteration;
    private boolean changed;
    /** The line after the one last read: where the next metadata line usually is. */
    private int next;
    private volatile Map<String, MetricMetadata> published = Map.of();

    void beginIteration() {
        iteration++;
        changed = false;
        next = 0;
    }

    /** Records the parser's current entry, which {@code kind} says is a HELP, TYPE or UNIT line. */
    void read(EntryType kind, ExpositionParser parser) {
        byte[] b = parser.buffer();
        // Bodies mostly repeat their lines in the same order: try the line after the last one first.
        int k = next < keys.size() && keys.matches(next, b, parser.lineStart(), parser.lineEnd())
                ? next : keys.find(b, parser.lineStart(), parser.lineEnd());
        if (k == KeyArena.ABSENT) {
            String value = switch (kind) {
                case TYPE -> typeName(parser.type());
                case HELP -> parser.help();
                case UNIT -> parser.unit();
                default -> throw new IllegalArgumentException("not a metadata entry: " + kind);
            };
            k = keys.add(b, parser.lineStart(), parser.lineEnd());
            if (keys.capacity() > lines.length) {
                lines = Arrays.copyOf(lines, keys.capacity());
            }
            lines[k] = new Line(kind, parser.metadataMetric(), value);
            changed = true;
        }
        lines[k].seen = iteration;
        next = k + 1;
    }

    /** Publishes this scrape's metadata when it differs from the last. */
    void commitIteration() {
        int before = keys.size();
        boolean stale = false;
        for (int k = 0; k < before && !stale; k++) {
            stale = lines[k].seen != iteration;
        }
        if (stale) {
            keys.retain(k -> lines[k].seen == iteration, (from, to) -> lines[to] = lines[from]);
            Arrays.fill(lines, keys.size(), before, null);
            keys.trim();
            lines = Arrays.copyOf(lines, keys.capacity());
            changed = true;
        }
        if (!changed) {
            return;
        }
        Map<String, String[]> byMetric = new TreeMap<>();
        for (int k = 0; k < keys.size(); k++) {
            Line line = lines[k];
            String[] m = byMetric.computeIfAbsent(line.metric, name -> new String[] {"unknown", "", ""});
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
