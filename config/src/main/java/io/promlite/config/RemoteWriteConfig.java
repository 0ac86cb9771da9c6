package io.promlite.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * One {@code remote_write} entry with Prometheus's defaults ({@code config.DefaultRemoteWriteConfig}).
 *
 * @param name          the queue's name as written, empty when unset (see {@link #queueName()})
 * @param basicAuth     null when unset
 * @param authorization null when unset
 * @param tlsConfig     never null; {@link TlsConfig#DEFAULT} when unset
 */
public record RemoteWriteConfig(String url, String name, Duration remoteTimeout, Map<String, String> headers,
                                BasicAuth basicAuth, Authorization authorization, TlsConfig tlsConfig,
                                List<RelabelConfig> writeRelabelConfigs, QueueConfig queueConfig,
                                MetadataConfig metadataConfig) {
    /** Prometheus's default {@code remote_timeout}. */
    public static final Duration DEFAULT_REMOTE_TIMEOUT = Duration.ofSeconds(30);

    public RemoteWriteConfig {
        headers = Map.copyOf(headers);
        writeRelabelConfigs = List.copyOf(writeRelabelConfigs);
    }

    /**
     * The name queues, metrics and persisted send positions use: {@code name} when set, else, as
     * Prometheus does, a short hash of the entry, here of its URL so that it stays the same when
     * other settings of the entry change (a persisted send position survives tuning).
     */
    public String queueName() {
        if (!name.isEmpty()) {
            return name;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 3);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** {@code basic_auth}; {@code password} is the inline password or the contents read from {@code password_file}. */
    public record BasicAuth(String username, String password, String passwordFile) {
    }

    /** {@code authorization}; {@code type} defaults to {@code Bearer}. */
    public record Authorization(String type, String credentials, String credentialsFile) {
        public static final String DEFAULT_TYPE = "Bearer";
    }

    /** {@code queue_config} with Prometheus's defaults ({@code config.DefaultQueueConfig}). */
    public record QueueConfig(int capacity, int maxShards, int minShards, int maxSamplesPerSend,
                              Duration batchSendDeadline, Duration minBackoff, Duration maxBackoff,
                              boolean retryOnHttp429) {
        public static final QueueConfig DEFAULT = new QueueConfig(10_000, 50, 1, 2_000,
                Duration.ofSeconds(5), Duration.ofMillis(30), Duration.ofSeconds(5), true);
    }

    /** {@code metadata_config} with Prometheus's defaults: send every minute. */
    public record MetadataConfig(boolean send, Duration sendInterval, int maxSamplesPerSend) {
        public static final MetadataConfig DEFAULT = new MetadataConfig(true, Duration.ofMinutes(1), 2_000);
    }
}
