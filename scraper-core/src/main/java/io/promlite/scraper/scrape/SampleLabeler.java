package io.promlite.scraper.scrape;

import io.promlite.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Attaches a target's labels to scraped series as Prometheus does. Without honor_labels a
 * scraped label that collides with a target label is kept as {@code exported_<name>} (prefixed
 * again while that name is taken); with honor_labels the scraped value wins.
 */
final class SampleLabeler {
    static final String EXPORTED_PREFIX = "exported_";

    private final Labels targetLabels;
    private final boolean honorLabels;

    SampleLabeler(Labels targetLabels, boolean honorLabels) {
        this.targetLabels = targetLabels;
        this.honorLabels = honorLabels;
    }

    Labels apply(Labels scraped) {
        Labels.Builder b = scraped.toBuilder();
        if (honorLabels) {
            for (int i = 0; i < targetLabels.size(); i++) {
                if (!scraped.has(targetLabels.name(i))) {
                    b.set(targetLabels.name(i), targetLabels.value(i));
                }
            }
            return b.build();
        }
        List<String[]> conflicts = null;
        for (int i = 0; i < targetLabels.size(); i++) {
            String name = targetLabels.name(i);
            String existing = scraped.get(name);
            if (existing != null) {
                if (conflicts == null) {
                    conflicts = new ArrayList<>(2);
                }
                conflicts.add(new String[] {name, existing});
            }
            b.set(name, targetLabels.value(i));
        }
        if (conflicts != null) {
            // Shorter names first, so exported_x is claimed before exported_exported_x is considered.
            conflicts.sort(Comparator.comparingInt(c -> c[0].length()));
            for (String[] c : conflicts) {
                String newName = c[0];
                do {
                    newName = EXPORTED_PREFIX + newName;
                } while (b.get(newName) != null);
                b.set(newName, c[1]);
            }
        }
        return b.build();
    }

    /** A synthetic series (up, scrape_duration_seconds, …) of this target. */
    Labels report(String metricName) {
        return apply(Labels.of(Labels.METRIC_NAME, metricName));
    }
}
