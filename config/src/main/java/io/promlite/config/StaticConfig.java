package io.promlite.config;

import java.util.List;
import java.util.Map;

/** One {@code static_configs} entry: {@code host:port} targets sharing extra labels. */
public record StaticConfig(List<String> targets, Map<String, String> labels) {
    public StaticConfig {
        targets = List.copyOf(targets);
        labels = Map.copyOf(labels);
    }
}
