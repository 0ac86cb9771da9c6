package io.promlite.app;

import io.promlite.config.ConfigException;
import io.promlite.config.ConfigLoader;
import io.promlite.config.PromliteConfig;

/**
 * The configuration used when no {@code --config.file} is given: promlite scrapes its own
 * {@code /metrics}, as Prometheus's example {@code prometheus.yml} scrapes Prometheus.
 */
final class DefaultConfig {
    static final String SOURCE = "<embedded default>";

    private DefaultConfig() {
    }

    static String yaml(String selfTarget) {
        return """
                # promlite's embedded default configuration: scrape promlite itself.
                global:
                  scrape_interval: 15s
                  scrape_timeout: 10s

                scrape_configs:
                  - job_name: promlite
                    static_configs:
                      - targets: ["%s"]
                """.formatted(selfTarget);
    }

    static PromliteConfig forSelf(String selfTarget) {
        try {
            return ConfigLoader.parse(yaml(selfTarget), SOURCE);
        } catch (ConfigException e) {
            throw new IllegalStateException("the embedded default configuration is invalid", e);
        }
    }
}
