package io.promlite.scraper;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promlite.config.PromliteConfig;
import io.promlite.config.ScrapeConfig;
import io.promlite.scraper.discovery.DnsLookup;
import io.promlite.scraper.scrape.ScrapeContext;
import io.promlite.scraper.scrape.ScrapeLoop;
import io.promlite.scraper.scrape.ScrapeMetrics;
import io.promlite.scraper.scrape.ScrapePool;
import io.promlite.scraper.scrape.ScrapeReport;
import io.promlite.scraper.scrape.ScrapeTarget;
import io.promlite.tsdb.Storage;
import io.promlite.tsdb.model.Labels;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs one scrape pool per job of the applied config. Network I/O and timers share a single
 * Netty event loop (thousands of targets cost no threads); parsing and appending run on a
 * small executor sized to the cores.
 */
public final class ScrapeManager implements AutoCloseable {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final EventLoopGroup eventLoops;
    private final ExecutorService executor;
    private final DnsLookup dns;
    private final ScrapeContext context;
    private final Map<String, ScrapePool> pools = new LinkedHashMap<>();
    private boolean closed;

    public ScrapeManager(Storage storage, PrometheusRegistry registry) {
        this(storage, registry, List.of());
    }

    /**
     * @param dnsNameservers {@code HOST:PORT} name servers for DNS discovery; empty for the system's
     * @throws IllegalArgumentException when a name server is not {@code HOST:PORT}
     */
    public ScrapeManager(Storage storage, PrometheusRegistry registry, List<String> dnsNameservers) {
        this.eventLoops = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("promlite-scrape-io", true),
                NioIoHandler.newFactory());
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory("promlite-scrape-append", true));
        try {
            this.dns = new DnsLookup(eventLoops.next(), dnsNameservers);
        } catch (RuntimeException e) {
            executor.shutdown();
            eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        this.context = new ScrapeContext(storage, eventLoops, executor,
                new ScrapeMetrics(registry, this::targetsPerPool), userAgent(), dns);
    }

    /** Starts, stops and keeps pools and loops so that exactly the config's targets are scraped. */
    public synchronized void apply(PromliteConfig config) {
        if (closed) {
            throw new IllegalStateException("scrape manager is closed");
        }
        Set<String> jobs = new HashSet<>();
        for (ScrapeConfig sc : config.scrapeConfigs()) {
            jobs.add(sc.jobName());
            ScrapePool pool = pools.get(sc.jobName());
            if (pool == null) {
                pools.put(sc.jobName(), new ScrapePool(context, sc));
            } else {
                pool.update(sc);
            }
        }
        pools.entrySet().removeIf(e -> {
            if (jobs.contains(e.getKey())) {
                return false;
            }
            e.getValue().stop(true);
            return true;
        });
    }

    /** Every active target, by job and then URL. */
    public synchronized List<TargetStatus> activeTargets() {
        List<TargetStatus> out = new ArrayList<>();
        for (ScrapePool pool : pools.values()) {
            for (ScrapeLoop loop : pool.loops()) {
                out.add(status(pool.jobName(), loop));
            }
        }
        out.sort(Comparator.comparing(TargetStatus::scrapePool).thenComparing(TargetStatus::scrapeUrl));
        return out;
    }

    private synchronized Map<String, Integer> targetsPerPool() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        pools.forEach((job, pool) -> counts.put(job, pool.loops().size()));
        return counts;
    }

    /** Targets that relabeling dropped, by job, as {@code /api/v1/targets?state=dropped} lists them. */
    public synchronized List<DroppedTarget> droppedTargets() {
        List<DroppedTarget> out = new ArrayList<>();
        for (ScrapePool pool : pools.values()) {
            for (Labels discovered : pool.droppedTargets()) {
                out.add(new DroppedTarget(pool.jobName(), discovered));
            }
        }
        return out;
    }

    /** Each active target's metric metadata, in scrape-pool order. */
    public synchronized List<TargetMetadata> targetMetadata() {
        List<TargetMetadata> out = new ArrayList<>();
        for (ScrapePool pool : pools.values()) {
            for (ScrapeLoop loop : pool.loops()) {
                out.add(new TargetMetadata(loop.target().labels(), loop.metadata()));
            }
        }
        return out;
    }

    /**
     * What the active targets declare about their metrics, by metric name, each distinct
     * declaration once (targets may disagree), as {@code /api/v1/metadata} reports it.
     */
    public Map<String, List<MetricMetadata>> metadata() {
        Map<String, Set<MetricMetadata>> merged = new TreeMap<>();
        for (TargetMetadata t : targetMetadata()) {
            t.metrics().forEach((metric, m) -> merged.computeIfAbsent(metric, k -> new LinkedHashSet<>()).add(m));
        }
        Map<String, List<MetricMetadata>> out = new LinkedHashMap<>();
        merged.forEach((metric, set) -> out.put(metric, List.copyOf(set)));
        return out;
    }

    private static TargetStatus status(String job, ScrapeLoop loop) {
        ScrapeTarget t = loop.target();
        ScrapeReport r = loop.lastReport();
        String health = r == null ? "unknown" : r.isUp() ? "up" : "down";
        return new TargetStatus(job, t.url(), t.labels(), t.discoveredLabels(), health,
                r == null || r.isUp() ? "" : r.error(), r == null ? null : r.start(),
                r == null ? Duration.ZERO : r.duration(), t.interval(), t.timeout());
    }

    /** Stops every loop, lets scrapes being appended finish, and shuts the network threads down. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        pools.values().forEach(p -> p.stop(false));
        pools.clear();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        dns.close();
        eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static String userAgent() {
        Properties p = new Properties();
        try (InputStream in = ScrapeManager.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // Fall through to the unknown version.
        }
        return "promlite/" + p.getProperty("version", "unknown");
    }
}
