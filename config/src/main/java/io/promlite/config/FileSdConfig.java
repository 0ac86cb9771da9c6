package io.promlite.config;

import java.time.Duration;
import java.util.List;

/**
 * One {@code file_sd_configs} entry: files (the last path element may hold a {@code *}) listing
 * target groups, re-read when they change and every {@code refresh_interval} (Prometheus's default 5m).
 * Relative paths are resolved against the config file's directory.
 */
public record FileSdConfig(List<String> files, Duration refreshInterval) {
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(5);

    public FileSdConfig {
        files = List.copyOf(files);
    }
}
