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

    static String yaml(String selfTarget, String metricsPath) {
        return """
                # promlite's embedded default configuration: scrape promlite itself.
                global:
                  scrape_interval: 15s
                  scrape_timeout: 10s

                scrape_configs:
                  - job_name: promlite
                    metrics_path: "%s"
                    static_configs:
                      - targets: ["%s"]
                """.formatted(metricsPath, selfTarget);
    }

    /** @param metricsPath promlite's own {@code /metrics} below any {@code --web.route-prefix} */
    static PromliteConfig forSelf(String selfTarget, String metricsPath) {
        try {
            return ConfigLoader.parse(yaml(selfTarget, metricsPath), SOURCE);
        } catch (ConfigException e) {
            throw new IllegalStateException("the embedded default configuration is invalid", e);
        }
    }
}
