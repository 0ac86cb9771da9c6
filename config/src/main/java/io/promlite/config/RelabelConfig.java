package io.promlite.config;

import java.util.List;

/**
 * One {@code relabel_configs} / {@code metric_relabel_configs} rule, validated and with
 * Prometheus's defaults (separator {@code ;}, regex {@code (.*)}, replacement {@code $1},
 * action {@code replace}).
 */
public record RelabelConfig(List<String> sourceLabels, String separator, RelabelRegex regex, long modulus,
                            String targetLabel, String replacement, RelabelAction action) {
    public static final String DEFAULT_SEPARATOR = ";";
    public static final String DEFAULT_REPLACEMENT = "$1";

    public RelabelConfig {
        sourceLabels = List.copyOf(sourceLabels);
    }
}
