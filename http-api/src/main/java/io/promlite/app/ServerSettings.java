package io.promlite.app;

import io.promlite.config.PromDurations;
import io.promlite.promql.EngineOptions;
import io.promlite.web.ListenAddress;
import io.promlite.web.ServerOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the command line decides about one server run. The defaults are Prometheus's.
 *
 * @param configFile             the configuration file, or null for the embedded self-scrape
 * @param retentionBytes         {@code --storage.tsdb.retention.size} in bytes, 0 for no limit
 * @param externalUrl            {@code --web.external-url}, or null to derive it from the host name
 * @param routePrefix            {@code --web.route-prefix}, or null to use the external URL's path
 * @param queryMaxConcurrency    how many queries evaluate at once; the rest wait in line
 * @param dnsNameservers         {@code HOST:PORT} name servers for {@code dns_sd_configs}; empty for the system's
 * @param enabledFeatures        the known {@code --enable-feature} options given, see {@link FeatureFlags}
 */
record ServerSettings(Path configFile, Path storagePath, ListenAddress listenAddress, Duration retention,
                      long retentionBytes, Duration queryTimeout, long queryMaxSamples, int queryMaxConcurrency,
                      Duration lookbackDelta, URI externalUrl, String routePrefix, int maxConnections,
                      Duration readTimeout, boolean enableLifecycle, boolean enableAdminApi,
                      boolean enableRemoteWriteReceiver, List<String> dnsNameservers, Set<String> enabledFeatures) {

    /** Prometheus's defaults for everything but the three essentials. */
    static ServerSettings defaults(Path configFile, Path storagePath, ListenAddress listenAddress) {
        return builder(configFile, storagePath, listenAddress).build();
    }

    /** Settings with Prometheus's defaults for everything the builder is not told. */
    static Builder builder(Path configFile, Path storagePath, ListenAddress listenAddress) {
        return new Builder(configFile, storagePath, listenAddress);
    }

    /** The one place that lists every setting: the command line and tests set only what they change. */
    static final class Builder {
        private static final EngineOptions ENGINE = EngineOptions.defaults();
        private static final ServerOptions WEB = ServerOptions.defaults();

        private final Path configFile;
        private final Path storagePath;
        private final ListenAddress listenAddress;
        private Duration retention = Duration.ofDays(15);
        private long retentionBytes;
        private Duration queryTimeout = ENGINE.timeout();
        private long queryMaxSamples = ENGINE.maxSamples();
        private int queryMaxConcurrency = 20;
        private Duration lookbackDelta = ENGINE.lookbackDelta();
        private URI externalUrl;
        private String routePrefix;
        private int maxConnections = WEB.maxConnections();
        private Duration readTimeout = WEB.readTimeout();
        private boolean enableLifecycle;
        private boolean enableAdminApi;
        private boolean enableRemoteWriteReceiver;
        private List<String> dnsNameservers = List.of();
        private Set<String> enabledFeatures = Set.of();

        private Builder(Path configFile, Path storagePath, ListenAddress listenAddress) {
            this.configFile = configFile;
            this.storagePath = storagePath;
            this.listenAddress = listenAddress;
        }

        /** @param bytes 0 for no size limit */
        Builder retention(Duration time, long bytes) {
            retention = time;
            retentionBytes = bytes;
            return this;
        }

        Builder queryLimits(Duration timeout, long maxSamples, int maxConcurrency) {
            queryTimeout = timeout;
            queryMaxSamples = maxSamples;
            queryMaxConcurrency = maxConcurrency;
            return this;
        }

        Builder lookbackDelta(Duration delta) {
            lookbackDelta = delta;
            return this;
        }

        /** Null for either lets promlite derive it, see {@link #effectiveExternalUrl} and {@link #effectiveRoutePrefix}. */
        Builder web(URI externalUrl, String routePrefix) {
            this.externalUrl = externalUrl;
            this.routePrefix = routePrefix;
            return this;
        }

        Builder connections(int maxConnections, Duration readTimeout) {
            this.maxConnections = maxConnections;
            this.readTimeout = readTimeout;
            return this;
        }

        Builder enableLifecycle(boolean enable) {
            enableLifecycle = enable;
            return this;
        }

        Builder enableAdminApi(boolean enable) {
            enableAdminApi = enable;
            return this;
        }

        Builder enableRemoteWriteReceiver(boolean enable) {
            enableRemoteWriteReceiver = enable;
            return this;
        }

        Builder dnsNameservers(List<String> nameservers) {
            dnsNameservers = nameservers;
            return this;
        }

        Builder enabledFeatures(Set<String> features) {
            enabledFeatures = features;
            return this;
        }

        ServerSettings build() {
            return new ServerSettings(configFile, storagePath, listenAddress, retention, retentionBytes, queryTimeout,
                    queryMaxSamples, queryMaxConcurrency, lookbackDelta, externalUrl, routePrefix, maxConnections,
                    readTimeout, enableLifecycle, enableAdminApi, enableRemoteWriteReceiver, dnsNameservers,
                    enabledFeatures);
        }
    }

    ServerOptions serverOptions() {
        return new ServerOptions(effectiveRoutePrefix(), maxConnections, readTimeout);
    }

    EngineOptions engineOptions() {
        return new EngineOptions(lookbackDelta, queryTimeout, queryMaxSamples,
                enabledFeatures.contains(FeatureFlags.PROMQL_DELAYED_NAME_REMOVAL));
    }

    /**
     * The URL promlite is reached at: {@code --web.external-url}, or as Prometheus derives it,
     * {@code http://<hostname>:<port>/}.
     */
    URI effectiveExternalUrl(int boundPort) {
        if (externalUrl != null) {
            return externalUrl;
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return URI.create("http://" + host + ":" + boundPort + "/");
    }

    /**
     * The prefix every path is served under, normalised to "" or {@code /a/b}: the flag, else
     * the external URL's path, as in Prometheus.
     */
    String effectiveRoutePrefix() {
        String p = routePrefix != null ? routePrefix : externalUrl != null ? externalUrl.getPath() : "";
        if (p == null) {
            p = "";
        }
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** The flags by Prometheus name, as {@code /api/v1/status/flags} reports them. */
    Map<String, String> flags() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("config.file", configFile == null ? "" : configFile.toString());
        f.put("storage.tsdb.path", storagePath.toString());
        f.put("storage.tsdb.retention.time", PromDurations.format(retention));
        f.put("storage.tsdb.retention.size", retentionBytes + "B");
        f.put("web.listen-address", listenAddress.host() + ":" + listenAddress.port());
        f.put("web.external-url", externalUrl == null ? "" : externalUrl.toString());
        f.put("web.route-prefix", routePrefix == null ? "" : routePrefix);
        f.put("web.max-connections", String.valueOf(maxConnections));
        f.put("web.read-timeout", PromDurations.format(readTimeout));
        f.put("web.enable-lifecycle", String.valueOf(enableLifecycle));
        f.put("web.enable-admin-api", String.valueOf(enableAdminApi));
        f.put("web.enable-remote-write-receiver", String.valueOf(enableRemoteWriteReceiver));
        f.put("query.timeout", PromDurations.format(queryTimeout));
        f.put("query.max-samples", String.valueOf(queryMaxSamples));
        f.put("query.max-concurrency", String.valueOf(queryMaxConcurrency));
        f.put("query.lookback-delta", PromDurations.format(lookbackDelta));
        f.put("discovery.dns.nameservers", String.join(",", dnsNameservers));
        f.put("enable-feature", String.join(",", enabledFeatures));
        return f;
    }

    /** Prometheus's runtimeinfo wording: {@code 15d}, or {@code 15d or 10GiB} with a size limit. */
    String retentionDescription() {
        String time = PromDurations.format(retention);
        return retentionBytes == 0 ? time : time + " or " + retentionBytes + "B";
    }
}
