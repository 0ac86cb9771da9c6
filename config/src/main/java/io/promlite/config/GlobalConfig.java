package io.promlite.config;

import java.time.Duration;
import java.util.Map;

/** The {@code global} section, with Prometheus's defaults applied. */
public record GlobalConfig(Duration scrapeInterval, Duration scrapeTimeout, Map<String, String> externalLabels) {
    /** Prometheus's defaults: scrape every minute with a 10s timeout. */
    public static final Duration DEFAULT_SCRAPE_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_SCRAPE_TIMEOUT = Duration.ofSeconds(10);
    public static final GlobalConfig DEFAULT =
            new GlobalConfig(DEFAULT_SCRAPE_INTERVAL, DEFAULT_SCRAPE_TIMEOUT, Map.of());

    public GlobalConfig {
        externalLabels = Map.copyOf(externalLabels);
    }
}
