package io.promlite.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code scrape_configs} entry with every default resolved (from {@code global} or from
 * Prometheus's own defaults). Limits of 0 mean "no limit", as in Prometheus.
 *
 * @param params            URL query parameters added to every scrape of the job (Prometheus's {@code params})
 * @param enableCompression whether to ask targets for gzip (Prometheus's {@code enable_compression}, default true)
 * @param auth              how to authenticate to the targets, or null for no credentials
 * @param tlsConfig         TLS settings for https targets
 * @param followRedirects   whether a scrape follows 3xx redirects (Prometheus's {@code follow_redirects}, default true)
 */
public record ScrapeConfig(
        String jobName,
        Duration scrapeInterval,
        Duration scrapeTimeout,
        String metricsPath,
        String scheme,
        List<StaticConfig> staticConfigs,
        boolean honorLabels,
        boolean honorTimestamps,
        Map<String, List<String>> params,
        int sampleLimit,
        int labelLimit,
        int labelNameLengthLimit,
        int labelValueLengthLimit,
        long bodySizeLimitBytes,
        List<RelabelConfig> relabelConfigs,
        List<RelabelConfig> metricRelabelConfigs,
        List<FileSdConfig> fileSdConfigs,
        List<DnsSdConfig> dnsSdConfigs,
        boolean enableCompression,
        HttpAuth auth,
        TlsConfig tlsConfig,
        boolean followRedirects) {

    public static final String DEFAULT_METRICS_PATH = "/metrics";
    public static final String DEFAULT_SCHEME = "http";

    public ScrapeConfig {
        staticConfigs = List.copyOf(staticConfigs);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        params.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        params = Collections.unmodifiableMap(copy);
        relabelConfigs = List.copyOf(relabelConfigs);
        metricRelabelConfigs = List.copyOf(metricRelabelConfigs);
        fileSdConfigs = List.copyOf(fileSdConfigs);
        dnsSdConfigs = List.copyOf(dnsSdConfigs);
    }

    /** A job that follows redirects, as Prometheus's jobs do by default. */
    public ScrapeConfig(String jobName, Duration scrapeInterval, Duration scrapeTimeout, String metricsPath,
                        String scheme, List<StaticConfig> staticConfigs, boolean honorLabels, boolean honorTimestamps,
                        Map<String, List<String>> params, int sampleLimit, int labelLimit, int labelNameLengthLimit,
                        int labelValueLengthLimit, long bodySizeLimitBytes, List<RelabelConfig> relabelConfigs,
                        List<RelabelConfig> metricRelabelConfigs, List<FileSdConfig> fileSdConfigs,
                        List<DnsSdConfig> dnsSdConfigs, boolean enableCompression, HttpAuth auth, TlsConfig tlsConfig) {
        this(jobName, scrapeInterval, scrapeTimeout, metricsPath, scheme, staticConfigs, honorLabels, honorTimestamps,
                params, sampleLimit, labelLimit, labelNameLengthLimit, labelValueLengthLimit, bodySizeLimitBytes,
                relabelConfigs, metricRelabelConfigs, fileSdConfigs, dnsSdConfigs, enableCompression, auth, tlsConfig,
                true);
    }

    /**
     * A job with Prometheus's defaults for everything but the basics: honor_timestamps and
     * compression and redirects on, no limits, no relabeling, no discovery beyond the static configs.
     */
    public ScrapeConfig(String jobName, Duration scrapeInterval, Duration scrapeTimeout, String metricsPath,
                        String scheme, List<StaticConfig> staticConfigs) {
        this(jobName, scrapeInterval, scrapeTimeout, metricsPath, scheme, staticConfigs,
                false, true, Map.of(), 0, 0, 0, 0, 0, List.of(), List.of(), List.of(), List.of(), true, null,
                TlsConfig.DEFAULT, true);
    }
}
