package io.promlite.app;

import io.promlite.config.ConfigException;
import io.promlite.config.ConfigLoader;
import io.promlite.config.PromliteConfig;
import io.promlite.config.ScrapeConfig;
import io.promlite.remote.RemoteWriteManager;
import io.promlite.scraper.ScrapeManager;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbException;
import io.promlite.tsdb.TsdbOptions;
import io.promlite.web.FederateHandler;
import io.promlite.web.HttpServer;
import io.promlite.web.Lifecycle;
import io.promlite.web.MetricsHandler;
import io.promlite.web.Readiness;
import io.promlite.web.RequestMetrics;
import io.promlite.web.Router;
import io.promlite.web.api.AdminApi;
import io.promlite.web.api.ApiError;
import io.promlite.web.api.ApiHandler;
import io.promlite.web.api.MetadataApi;
import io.promlite.web.api.QueryApi;
import io.promlite.web.api.QueryMetrics;
import io.promlite.web.api.RemoteWriteApi;
import io.promlite.web.api.RulesApi;
import io.promlite.web.api.ServerStatus;
import io.promlite.web.api.StatusApi;
import io.promlite.web.api.TargetsApi;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: opens storage, starts the HTTP API, then the scrape loops; closes them
 * in the reverse order. It also owns the configuration in use and its reloads.
 */
public final class Promlite implements AutoCloseable, ServerStatus {
    private static final Logger log = LoggerFactory.getLogger(Promlite.class);
    /** Queries waiting for one of the {@code --query.max-concurrency} slots; beyond that, 503. */
    private static final int QUERY_QUEUE = 10_000;

    private final ServerSettings settings;
    private final Tsdb tsdb;
    private final ExecutorService workers;
    private final ExecutorService queries;
    private final HttpServer http;
    private final ScrapeManager scrapeManager;
    private final AgentMode agent;
    private final RemoteWriteManager remoteWrite;
    private final Instant startTime = Instant.now();
    private final Gauge reloadSuccessful;
    private final Gauge reloadSuccessTime;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile PromliteConfig config;
    private volatile boolean lastReloadOk = true;
    private volatile Instant lastConfigTime = startTime;

    private Promlite(ServerSettings settings, AgentMode agent, Tsdb tsdb, PrometheusRegistry registry,
                     ExecutorService workers, HttpServer http) {
        this.settings = settings;
        this.agent = agent;
        this.tsdb = tsdb;
        this.workers = workers;
        this.http = http;
        this.queries = newPool("query", settings.queryMaxConcurrency(), QUERY_QUEUE);
        this.scrapeManager = new ScrapeManager(tsdb, registry, settings.dnsNameservers());
        this.remoteWrite = new RemoteWriteManager(tsdb, registry, "promlite/" + BuildInfo.VERSION,
                scrapeManager::metadata);
        this.reloadSuccessful = Gauge.builder().name("promlite_config_last_reload_successful")
                .help("Whether the last configuration reload attempt was successful.").register(registry);
        this.reloadSuccessTime = Gauge.builder().name("promlite_config_last_reload_success_timestamp_seconds")
                .help("Timestamp of the last successful configuration reload.").register(registry);
    }

    /** Loads the configuration first, so a bad one starts nothing. */
    public static PromliteConfig loadConfig(ServerSettings settings) throws ConfigException {
        return settings.configFile() == null ? null : ConfigLoader.load(settings.configFile());
    }

    /**
     * Starts a server.
     *
     * @param config the loaded configuration, or null for the embedded self-scraping default
     */
    static Promlite start(ServerSettings settings, PromliteConfig config) throws TsdbException, InterruptedException {
        return start(settings, config, AgentMode.OFF);
    }

    /** Starts a server, in agent mode when {@code agent} says so. */
    static Promlite start(ServerSettings settings, PromliteConfig config, AgentMode agent)
            throws TsdbException, InterruptedException {
        if (agent.enabled()) {
            checkAgentConfig(config);
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        registerJvmMetrics(registry);
        // Listening starts first, so health and readiness answer (503) while storage replays.
        Readiness readiness = new Readiness();
        ExecutorService workers = newPool("http-worker", Math.max(2, Runtime.getRuntime().availableProcessors()), 1024);
        HttpServer http;
        try {
            http = HttpServer.start(settings.listenAddress(), readiness.startupRoutes(), workers,
                    settings.serverOptions(), new RequestMetrics(registry));
        } catch (RuntimeException | InterruptedException e) {
            workers.shutdownNow();
            throw e;
        }
        log.atInfo().addKeyValue("address", settings.listenAddress().host() + ":" + http.port()).log("Listening");
        Tsdb tsdb;
        try {
            TsdbOptions options = new TsdbOptions(settings.storagePath(), settings.retention(),
                    settings.retentionBytes(), registry);
            tsdb = Tsdb.open(agent.enabled() ? options.agent(agent.maxLogBytes()) : options);
        } catch (TsdbException | RuntimeException e) {
            http.close();
            workers.shutdownNow();
            throw e;
        }
        Promlite server = new Promlite(settings, agent, tsdb, registry, workers, http);
        try {
            http.routeTo(server.routes(registry, readiness));
            server.config = config != null ? config : server.defaultConfig();
            // Queues first: a queue seen for the first time forwards what is committed after it starts.
            server.remoteWrite.apply(server.config);
            server.scrapeManager.apply(server.config);
            server.reloadSuccessful.set(1);
            server.reloadSuccessTime.set(server.lastConfigTime.toEpochMilli() / 1000.0);
            readiness.markReady();
            log.info("Server is ready to receive web requests.");
            return server;
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    /**
     * The process and JVM metrics of the client library's {@code JvmMetrics}, less
     * {@code JvmNativeMemoryMetrics}: it reports only with native memory tracking on, and to find
     * out it starts the platform MBean server, whose classes cost about 3 MB of metaspace.
     */
    private static void registerJvmMetrics(PrometheusRegistry registry) {
        JvmThreadsMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmMemoryPoolAllocationMetrics.builder().register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
    }

    /** Agent mode only forwards: a configuration with nowhere to forward to is an error. */
    private static void checkAgentConfig(PromliteConfig config) {
        if (config == null || config.remoteWriteConfigs().isEmpty()) {
            throw new IllegalArgumentException("agent mode needs at least one remote_write configuration");
        }
    }

    /** Endpoints reading stored data answer, in agent mode, as Prometheus's agent mode does. */
    private ApiHandler stored(ApiHandler handler) {
        if (!agent.enabled()) {
            return handler;
        }
        return request -> {
            throw new ApiError(ApiError.Type.EXECUTION, AgentMode.UNAVAILABLE);
        };
    }

    private PromliteConfig defaultConfig() {
        return DefaultConfig.forSelf(settings.listenAddress().localTarget(http.port()),
                settings.effectiveRoutePrefix() + "/metrics");
    }

    private Router routes(PrometheusRegistry registry, Readiness readiness) {
        Clock clock = Clock.systemUTC();
        QueryApi query = new QueryApi(tsdb, settings.engineOptions(), clock,
                new QueryMetrics(registry, settings.queryMaxConcurrency()));
        MetadataApi metadata = new MetadataApi(tsdb);
        StatusApi status = new StatusApi(BuildInfo.VERSION, this, tsdb);
        TargetsApi targets = new TargetsApi(scrapeManager, this::scrapePools,
                settings.effectiveExternalUrl(http.port()), http.port());
        RulesApi rules = new RulesApi();
        AdminApi admin = new AdminApi(tsdb, settings.storagePath(), settings.enableAdminApi(), clock);
        RemoteWriteApi remoteWrite = new RemoteWriteApi(tsdb, clock);
        Router router = new Router()
                .getOrPost("/api/v1/query", ApiHandler.json(stored(query::instant)), queries)
                .getOrPost("/api/v1/query_range", ApiHandler.json(stored(query::range)), queries)
                .getOrPost("/api/v1/query_exemplars", ApiHandler.json(stored(query::exemplars)))
                .getOrPost("/api/v1/format_query", ApiHandler.json(query::formatQuery))
                .getOrPost("/api/v1/parse_query", ApiHandler.json(query::parseQuery))
                .getOrPost("/api/v1/series", ApiHandler.json(stored(metadata::series)))
                .getOrPost("/api/v1/labels", ApiHandler.json(stored(metadata::labelNames)))
                .get("/api/v1/label/{name}/values", ApiHandler.json(stored(metadata::labelValues)))
                .get("/api/v1/targets", ApiHandler.json(targets::targets))
                .get("/api/v1/targets/metadata", ApiHandler.json(targets::targetMetadata))
                .get("/api/v1/scrape_pools", ApiHandler.json(targets::scrapePools))
                .get("/api/v1/metadata", ApiHandler.json(targets::metricMetadata))
                .get("/api/v1/rules", ApiHandler.json(rules::rules))
                .get("/api/v1/alerts", ApiHandler.json(rules::alerts))
                .get("/api/v1/alertmanagers", ApiHandler.json(rules::alertmanagers))
                .get("/api/v1/status/buildinfo", ApiHandler.json(status::buildInfo))
                .get("/api/v1/status/config", ApiHandler.json(status::config))
                .get("/api/v1/status/flags", ApiHandler.json(status::flags))
                .get("/api/v1/status/runtimeinfo", ApiHandler.json(status::runtimeInfo))
                .get("/api/v1/status/tsdb", ApiHandler.json(status::tsdb))
                .get("/api/v1/status/walreplay", ApiHandler.json(status::walReplay))
                .get("/api/v1/notifications", ApiHandler.json(status::notifications))
                .postOrPut("/api/v1/admin/tsdb/delete_series", ApiHandler.json(admin::deleteSeries))
                .postOrPut("/api/v1/admin/tsdb/clean_tombstones", ApiHandler.json(admin::cleanTombstones))
                .postOrPut("/api/v1/admin/tsdb/snapshot", ApiHandler.json(admin::snapshot))
                .post("/api/v1/write", settings.enableRemoteWriteReceiver() ? remoteWrite::write
                        : RemoteWriteApi::disabled)
                .get("/federate", new FederateHandler(tsdb, this::externalLabels,
                        settings.lookbackDelta().toMillis(), clock))
                .get("/metrics", new MetricsHandler(registry))
                .get("/-/healthy", readiness::healthy)
                .get("/-/ready", readiness::ready);
        new Lifecycle(settings.enableLifecycle(), this::reload, this::close).register(router);
        return router;
    }

    /**
     * Re-reads the configuration file and applies it. A configuration that does not load is
     * rejected and the running one keeps going.
     */
    public synchronized void reload() throws ConfigException {
        log.atInfo().addKeyValue("filename", String.valueOf(settings.configFile())).log("Loading configuration file");
        PromliteConfig next;
        try {
            next = settings.configFile() == null ? defaultConfig() : ConfigLoader.load(settings.configFile());
        } catch (ConfigException e) {
            lastReloadOk = false;
            reloadSuccessful.set(0);
            log.atError().addKeyValue("filename", String.valueOf(settings.configFile()))
                    .addKeyValue("err", e.getMessage()).log("Error reloading config");
            throw e;
        }
        if (agent.enabled()) {
            try {
                checkAgentConfig(next);
            } catch (IllegalArgumentException e) {
                lastReloadOk = false;
                reloadSuccessful.set(0);
                throw new ConfigException(String.valueOf(settings.configFile()), 0, 0, null, e.getMessage());
            }
        }
        try {
            remoteWrite.apply(next);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while applying remote_write", e);
        }
        scrapeManager.apply(next);
        config = next;
        lastReloadOk = true;
        lastConfigTime = Instant.now();
        reloadSuccessful.set(1);
        reloadSuccessTime.set(lastConfigTime.toEpochMilli() / 1000.0);
        log.atInfo().addKeyValue("filename", String.valueOf(settings.configFile()))
                .log("Completed loading of configuration file");
    }

    private List<String> scrapePools() {
        PromliteConfig c = config;
        return c == null ? List.of() : c.scrapeConfigs().stream().map(ScrapeConfig::jobName).toList();
    }

    private Map<String, String> externalLabels() {
        PromliteConfig c = config;
        return c == null ? Map.of() : c.global().externalLabels();
    }

    @Override
    public String configYaml() {
        PromliteConfig c = config;
        return c == null ? "" : c.originalYaml();
    }

    @Override
    public boolean lastReloadSuccessful() {
        return lastReloadOk;
    }

    @Override
    public Instant lastConfigTime() {
        return lastConfigTime;
    }

    @Override
    public Instant startTime() {
        return startTime;
    }

    @Override
    public Map<String, String> flags() {
        Map<String, String> flags = new java.util.LinkedHashMap<>(settings.flags());
        flags.put("agent", String.valueOf(agent.enabled()));
        flags.put("storage.agent.max-log-size", agent.maxLogBytes() + "B");
        return flags;
    }

    @Override
    public String storageRetention() {
        return settings.retentionDescription();
    }

    /**
     * A bounded pool: handlers may block on storage and evaluation, which keeps them off the event
     * loops. Threads idle for a minute exit, so a burst of queries does not keep its threads'
     * stacks resident.
     */
    private static ExecutorService newPool(String name, int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queue), r -> {
                    Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    public int port() {
        return http.port();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** Stops scraping, then serving, then flushes and closes storage. */
    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) {
            return;
        }
        log.info("Stopping scrape manager...");
        scrapeManager.close();
        try {
            remoteWrite.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
        for (ExecutorService pool : new ExecutorService[] {queries, workers}) {
            pool.shutdown();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        tsdb.close();
        log.info("See you next time!");
        closed.countDown();
    }
}
