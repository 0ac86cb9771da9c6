package io.promlite.scraper.discovery;

import java.util.List;
import java.util.Map;

/**
 * Targets found by one discovery source, each a set of discovered labels (at least
 * {@code __address__}), plus labels common to the group.
 *
 * @param source where the group came from, unique within its scrape config
 */
public record TargetGroup(String source, List<Map<String, String>> targets, Map<String, String> labels) {
    public TargetGroup {
        targets = List.copyOf(targets);
        labels = Map.copyOf(labels);
    }
}
