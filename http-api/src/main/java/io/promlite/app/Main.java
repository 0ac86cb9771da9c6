package io.promlite.app;

import io.promlite.config.ConfigException;
import io.promlite.config.PromDurations;
import io.promlite.config.PromSizes;
import io.promlite.config.PromliteConfig;
import io.promlite.logging.LogfmtLogger;
import io.promlite.tsdb.TsdbException;
import io.promlite.web.ListenAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar promlite.jar [flags]}: flags carry Prometheus's names. Exit codes: 0 after a
 * clean stop, 1 when the configuration or storage cannot be used, 2 for a bad command line.
 */
@Command(name = "promlite", mixinStandardHelpOptions = true, versionProvider = BuildInfo.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "A lightweight, Prometheus-compatible scrape server.",
        subcommands = {HealthcheckCommand.class, CheckCommand.class})
public final class Main implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @Option(names = "--config.file", paramLabel = "FILE",
            description = "Prometheus configuration file path. Without it, promlite scrapes itself.")
    Path configFile;

    @Option(names = "--storage.tsdb.path", paramLabel = "DIR", defaultValue = "data/",
            description = "Base path for metrics storage (default: ${DEFAULT-VALUE}).")
    Path storagePath;

    @Option(names = "--web.listen-address", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:9090",
            converter = ListenAddressConverter.class,
            description = "Address to listen on for the API and /metrics (default: ${DEFAULT-VALUE}).")
    ListenAddress listenAddress;

    @Option(names = "--storage.tsdb.retention.time", paramLabel = "DURATION", defaultValue = "15d",
            converter = DurationConverter.class,
            description = "How long to retain samples in storage (default: ${DEFAULT-VALUE}).")
    Duration retention;

    @Option(names = "--storage.tsdb.retention.size", paramLabel = "SIZE", defaultValue = "0",
            converter = SizeConverter.class,
            description = "Maximum number of bytes that can be stored for blocks, e.g. 512MB; 0 disables the limit "
                    + "(default: ${DEFAULT-VALUE}).")
    long retentionBytes;

    @Option(names = "--web.external-url", paramLabel = "URL", converter = UrlConverter.class,
            description = "The URL under which promlite is externally reachable. Its path becomes the route "
                    + "prefix unless --web.route-prefix is given.")
    URI externalUrl;

    @Option(names = "--web.route-prefix", paramLabel = "PATH",
            description = "Prefix for the internal routes of web endpoints (default: path of --web.external-url).")
    String routePrefix;

    @Option(names = "--web.max-connections", paramLabel = "N", defaultValue = "512",
            description = "Maximum number of simultaneous connections (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--web.read-timeout", paramLabel = "DURATION", defaultValue = "5m",
            converter = DurationConverter.class,
            description = "Maximum duration before timing out read of the request, and closing idle connections "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration readTimeout;

    @Option(names = "--web.enable-lifecycle",
            description = "Enable shutdown and reload via HTTP request (/-/quit, /-/reload).")
    boolean enableLifecycle;

    @Option(names = "--web.enable-admin-api",
            description = "Enable API endpoints for admin control actions (/api/v1/admin/tsdb/...).")
    boolean enableAdminApi;

    @Option(names = "--web.enable-remote-write-receiver",
            description = "Enable the remote-write receiver at /api/v1/write.")
    boolean enableRemoteWriteReceiver;

    @Option(names = "--query.timeout", paramLabel = "DURATION", defaultValue = "2m",
            converter = DurationConverter.class,
            description = "Maximum time a query may take before being aborted (default: ${DEFAULT-VALUE}).")
    Duration queryTimeout;

    @Option(names = "--query.max-samples", paramLabel = "N", defaultValue = "50000000",
            description = "Maximum number of samples a single query can load into memory "
                    + "(default: ${DEFAULT-VALUE}).")
    long queryMaxSamples;

    @Option(names = "--query.max-concurrency", paramLabel = "N", defaultValue = "20",
            description = "Maximum number of queries executed concurrently; others wait in line "
                    + "(default: ${DEFAULT-VALUE}).")
    int queryMaxConcurrency;

    @Option(names = "--query.lookback-delta", paramLabel = "DURATION", defaultValue = "5m",
            converter = DurationConverter.class,
            description = "How far back to look for a sample of each series in instant vector selectors "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration lookbackDelta;

    @Option(names = "--discovery.dns.nameservers", paramLabel = "HOST:PORT", split = ",",
            description = "Name servers asked by dns_sd_configs, in order (default: the system's, from "
                    + "/etc/resolv.conf).")
    List<String> dnsNameservers = List.of();

    @Option(names = "--enable-feature", paramLabel = "OPTION",
            description = "Comma-separated feature names to enable. Known: " + FeatureFlags.PROMQL_DELAYED_NAME_REMOVAL
                    + "; others are logged and ignored.")
    List<String> enableFeature = List.of();

    @Option(names = "--agent",
            description = "Run in agent mode: scrape and remote-write only, with no local queries or chunk storage.")
    boolean agent;

    @Option(names = "--storage.agent.path", paramLabel = "DIR", defaultValue = "data-agent/",
            description = "Base path for the agent's forward log (default: ${DEFAULT-VALUE}).")
    Path agentStoragePath;

    @Option(names = "--storage.agent.max-log-size", paramLabel = "SIZE", defaultValue = AgentMode.DEFAULT_MAX_LOG_SIZE,
            converter = SizeConverter.class,
            description = "Agent mode: the most forward-log bytes kept for remote-write queues that cannot send "
                    + "(a receiver outage); beyond it the oldest unsent samples are dropped. 0 disables the cap "
                    + "(default: ${DEFAULT-VALUE}).")
    long agentMaxLogBytes;

    @Option(names = "--log.level", paramLabel = "LEVEL", defaultValue = "info",
            converter = LogLevelConverter.class,
            description = "Only log messages with the given severity or above: debug, info, warn, error "
                    + "(default: ${DEFAULT-VALUE}).")
    String logLevel;

    /**
     * The client library's switch for exemplars on promlite's own metrics. promlite has no traces
     * to link them to, so it never exposes one; with the switch on, observations still sample
     * exemplars and schedule their expiry on the library's timer thread ("prometheus-metrics"),
     * 0.7 ms of CPU a second while scraping 100 targets at 5 s. Off unless set on the command line.
     */
    static final String EXEMPLARS_ENABLED = "io.prometheus.metrics.exemplarsEnabled";

    public static void main(String[] args) {
        // Before any metric exists: the library reads its properties once, at the first.
        if (System.getProperty(EXEMPLARS_ENABLED) == null) {
            System.setProperty(EXEMPLARS_ENABLED, "false");
        }
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    @Override
    public Integer call() throws InterruptedException {
        LogfmtLogger.setLevel(logLevel);
        if (queryMaxConcurrency < 1 || queryMaxSamples < 1 || maxConnections < 1) {
            log.error("--query.max-concurrency, --query.max-samples and --web.max-connections must be positive");
            return 2;
        }
        ServerSettings settings = settings();
        PromliteConfig config;
        try {
            config = Promlite.loadConfig(settings);
        } catch (ConfigException e) {
            log.atError().addKeyValue("file", String.valueOf(configFile)).addKeyValue("err", e.getMessage())
                    .log("Error loading config (--config.file={})", configFile);
            return 1;
        }
        log.atInfo().addKeyValue("version", BuildInfo.VERSION).log("Starting promlite");
        Promlite server;
        try {
            server = Promlite.start(settings, config, new AgentMode(agent, agentMaxLogBytes));
        } catch (TsdbException e) {
            log.atError().addKeyValue("err", e.getMessage()).log("Opening storage failed");
            return 1;
        } catch (RuntimeException e) {
            log.atError().addKeyValue("err", String.valueOf(e.getMessage())).log("Starting promlite failed");
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
        OsSignals.install(server);
        server.awaitClosed();
        return 0;
    }

    /** The server settings the parsed flags describe. */
    ServerSettings settings() {
        return ServerSettings.builder(configFile, agent ? agentStoragePath : storagePath, listenAddress)
                .retention(retention, retentionBytes)
                .queryLimits(queryTimeout, queryMaxSamples, queryMaxConcurrency)
                .lookbackDelta(lookbackDelta)
                .web(externalUrl, routePrefix)
                .connections(maxConnections, readTimeout)
                .enableLifecycle(enableLifecycle)
                .enableAdminApi(enableAdminApi)
                .enableRemoteWriteReceiver(enableRemoteWriteReceiver)
                .dnsNameservers(dnsNameservers)
                .enabledFeatures(FeatureFlags.parse(enableFeature))
                .build();
    }

    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return PromSizes.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("not a valid size: \"" + value + "\"");
            }
        }
    }

    static final class UrlConverter implements CommandLine.ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            try {
                URI u = new URI(value);
                if (u.getScheme() == null || u.getHost() == null) {
                    throw new URISyntaxException(value, "missing scheme or host");
                }
                return u;
            } catch (URISyntaxException e) {
                throw new CommandLine.TypeConversionException("invalid URL \"" + value + "\": " + e.getReason());
            }
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return PromDurations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("not a valid duration string: \"" + value + "\"");
            }
        }
    }

    static final class ListenAddressConverter implements CommandLine.ITypeConverter<ListenAddress> {
        @Override
        public ListenAddress convert(String value) {
            try {
                return ListenAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class LogLevelConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                LogfmtLogger.parseLevel(value);
                return value;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
