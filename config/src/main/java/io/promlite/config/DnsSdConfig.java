package io.promlite.config;

import java.time.Duration;
import java.util.List;

/**
 * One {@code dns_sd_configs} entry: DNS names queried every {@code refresh_interval}
 * (Prometheus's default 30s) for SRV records (the default), or for A, AAAA, MX or NS records
 * combined with {@code port}.
 */
public record DnsSdConfig(List<String> names, String type, int port, Duration refreshInterval) {
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(30);
    public static final String DEFAULT_TYPE = "SRV";

    public DnsSdConfig {
        names = List.copyOf(names);
    }
}
