package io.promlite.config;

import java.util.List;

/** A parsed, validated {@code prometheus.yml}; {@code originalYaml} is the text it came from. */
public record PromliteConfig(GlobalConfig global, List<ScrapeConfig> scrapeConfigs, String originalYaml) {
    public PromliteConfig {
        scrapeConfigs = List.copyOf(scrapeConfigs);
    }
}
