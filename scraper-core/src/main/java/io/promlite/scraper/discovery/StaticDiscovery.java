package io.promlite.scraper.discovery;

import io.promlite.config.ScrapeConfig;
import io.promlite.config.StaticConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The target groups written out in a job's {@code static_configs}. */
public final class StaticDiscovery {
    public static final String ADDRESS_LABEL = "__address__";

    private StaticDiscovery() {
    }

    public static List<TargetGroup> groups(ScrapeConfig config) {
        List<TargetGroup> groups = new ArrayList<>(config.staticConfigs().size());
        for (int i = 0; i < config.staticConfigs().size(); i++) {
            StaticConfig sc = config.staticConfigs().get(i);
            List<Map<String, String>> targets = new ArrayList<>(sc.targets().size());
            for (String address : sc.targets()) {
                targets.add(Map.of(ADDRESS_LABEL, address));
            }
            groups.add(new TargetGroup("static/" + i, targets, sc.labels()));
        }
        return groups;
    }
}
