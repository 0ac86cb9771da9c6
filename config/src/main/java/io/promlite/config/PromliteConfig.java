package io.promlite.config;

import java.util.List;

/** A parsed, validated {@code prometheus.yml}; {@code originalYaml} is the text it came from. */
public record PromliteConfig(GlobalConfig global, List<ScrapeConfig> scrapeConfigs,
                             List<RemoteWriteConfig> remoteWriteConfigs, String originalYaml) {
    public PromliteConfig {
        scrapeConfigs = List.copyOf(scrapeConfigs);
        remoteWriteConfigs = List.copyOf(remoteWriteConfigs);
    }

    /** A configuration without {@code remote_write}. */
    public PromliteConfig(GlobalConfig global, List<ScrapeConfig> scrapeConfigs, String originalYaml) {
        this(global, scrapeConfigs, List.of(), originalYaml);
    }
}
