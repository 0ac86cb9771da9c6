package io.promlite.app;

import io.promlite.config.ConfigException;
import io.promlite.config.ConfigLoader;
import io.promlite.config.PromliteConfig;
import io.promlite.promql.Engine;
import io.promlite.promql.EngineOptions;
import io.promlite.scraper.ScrapeManager;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbException;
import io.promlite.tsdb.TsdbOptions;
import io.promlite.web.HttpServer;
import io.promlite.web.MetricsHandler;
import io.promlite.web.Readiness;
import io.promlite.web.Router;
import io.promlite.web.api.ApiHandler;
import io.promlite.web.api.QueryApi;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
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
 * in the reverse order.
 */
public final class Promlite implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Promlite.class);

    private final Tsdb tsdb;
    private final ExecutorService workers;
    private final HttpServer http;
    private final ScrapeManager scrapeManager;
    private final CountDownLatch closed = new CountDownLatch(1);

    private Promlite(Tsdb tsdb, ExecutorService workers, HttpServer http, ScrapeManager scrapeManager) {
        this.tsdb = tsdb;
        this.workers = workers;
        this.http = http;
        this.scrapeManager = scrapeManager;
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
        PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        Tsdb tsdb = Tsdb.open(new TsdbOptions(settings.storagePath(), settings.retention(), 0, registry));
        ExecutorService workers = null;
        HttpServer http = null;
        try {
            Engine engine = new Engine(tsdb, EngineOptions.defaults());
            workers = newWorkerPool();
            Readiness readiness = new Readiness();
            http = HttpServer.start(settings.listenAddress(), routes(engine, registry, readiness), workers);
            log.atInfo().addKeyValue("address", settings.listenAddress().host() + ":" + http.port())
                    .log("Listening");
            PromliteConfig effective = config != null ? config
                    : DefaultConfig.forSelf(settings.listenAddress().localTarget(http.port()));
            ScrapeManager scrapeManager = new ScrapeManager(tsdb, registry);
            scrapeManager.apply(effective);
            readiness.markReady();
            log.info("Server is ready to receive web requests.");
            return new Promlite(tsdb, workers, http, scrapeManager);
        } catch (RuntimeException | InterruptedException e) {
            if (http != null) {
                http.close();
            }
            if (workers != null) {
                workers.shutdownNow();
            }
            tsdb.close();
            throw e;
        }
    }

    private static Router routes(Engine engine, PrometheusRegistry registry, Readiness readiness) {
        QueryApi query = new QueryApi(engine, Clock.systemUTC());
        return new Router()
                .getOrPost("/api/v1/query", ApiHandler.json(query::instant))
                .getOrPost("/api/v1/query_range", ApiHandler.json(query::range))
                .get("/metrics", new MetricsHandler(registry))
                .get("/-/healthy", readiness::healthy)
                .get("/-/ready", readiness::ready);
    }

    /** Handlers may block on storage and evaluation; a bounded pool keeps that off the event loops. */
    private static ExecutorService newWorkerPool() {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024),
                r -> {
                    Thread t = new Thread(r, "http-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
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
        http.close();
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tsdb.close();
        log.info("See you next time!");
        closed.countDown();
    }
}
