package io.promlite.scraper.scrape;

import io.netty.util.concurrent.ScheduledFuture;
import io.promlite.config.DnsSdConfig;
import io.promlite.config.FileSdConfig;
import io.promlite.config.ScrapeConfig;
import io.promlite.scraper.discovery.Discoverer;
import io.promlite.scraper.discovery.DnsDiscovery;
import io.promlite.scraper.discovery.FileDiscovery;
import io.promlite.scraper.discovery.StaticDiscovery;
import io.promlite.scraper.discovery.TargetGroup;
import io.promlite.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scrape loops of one job, kept in step with its config and its discovered targets. Config
 * changes come from the manager, target changes from the job's discoverers, each refreshed on its
 * own timer off the event loop; the pool serializes both.
 */
public final class ScrapePool {
    private static final Logger log = LoggerFactory.getLogger(ScrapePool.class);

    private final ScrapeContext context;
    private volatile ScrapeConfig config;
    private final Map<ScrapeTarget, ScrapeLoop> loops = new LinkedHashMap<>();
    private List<Labels> dropped = List.of();
    /** A discoverer and its refresh timer, by the discovery config it serves. */
    private record Running(Discoverer discoverer, ScheduledFuture<?> timer) {
    }

    private Map<Object, Running> running = new LinkedHashMap<>();
    private final Map<Discoverer, List<TargetGroup>> discovered = new LinkedHashMap<>();
    private boolean stopped;

    public ScrapePool(ScrapeContext context, ScrapeConfig config) {
        this.context = context;
        this.config = config;
        synchronized (this) {
            syncDiscovery();
            sync(false, false);
        }
    }

    public String jobName() {
        return config.jobName();
    }

    /**
     * Applies a new config of the same job. Unchanged targets keep their loops. When the job's
     * settings changed every loop restarts with them; a target that stays continues its series
     * (no staleness markers) unless the rules that shape series labels changed.
     */
    public synchronized void update(ScrapeConfig newConfig) {
        boolean restart = !newConfig.equals(config);
        boolean sameSeries = sameSeriesRules(config, newConfig);
        config = newConfig;
        syncDiscovery();
        sync(restart, sameSeries);
    }

    private static boolean sameSeriesRules(ScrapeConfig a, ScrapeConfig b) {
        return a.honorLabels() == b.honorLabels() && a.honorTimestamps() == b.honorTimestamps()
                && a.metricRelabelConfigs().equals(b.metricRelabelConfigs());
    }

    /**
     * Matches the running discoverers to the config's discovery entries. An entry that stays keeps
     * its discoverer and the targets it found, so a config reload neither drops nor re-reads them;
     * a new one refreshes right away and then on its own timer. Discovery never runs under a
     * lock: a slow DNS server must not hold up applying a config.
     */
    private void syncDiscovery() {
        List<Object> entries = new ArrayList<>(config.fileSdConfigs());
        entries.addAll(config.dnsSdConfigs());
        Map<Object, Running> next = new LinkedHashMap<>();
        for (Object entry : entries) {
            Running r = running.remove(entry);
            if (r == null && !next.containsKey(entry)) {
                Discoverer d = entry instanceof FileSdConfig f ? new FileDiscovery(f) : new DnsDiscovery((DnsSdConfig) entry, context.dns());
                discovered.put(d, List.of());
                long period = d.checkInterval().toMillis();
                r = new Running(d, context.eventLoops().next().scheduleWithFixedDelay(
                        () -> refreshOffLoop(d), 0, period, TimeUnit.MILLISECONDS));
            }
            if (r != null) {
                next.put(entry, r);
            }
        }
        stopDiscoverers(running.values());
        running = next;
    }

    private void stopDiscoverers(Iterable<Running> stale) {
        for (Running r : stale) {
            r.timer().cancel(false);
            discovered.remove(r.discoverer());
        }
    }

    private void refreshOffLoop(Discoverer d) {
        try {
            context.executor().execute(() -> refresh(d));
        } catch (RejectedExecutionException e) {
            // Shutting down.
        }
    }

    /** Re-reads one discoverer (I/O outside the pool's lock) and resyncs when its groups changed. */
    private void refresh(Discoverer d) {
        List<TargetGroup> groups;
        synchronized (d) {
            try {
                groups = d.refresh();
            } catch (RuntimeException e) {
                log.error("job {}: target discovery failed", jobName(), e);
                return;
            }
        }
        synchronized (this) {
            if (stopped || !discovered.containsKey(d) || groups.equals(discovered.get(d))) {
                return;
            }
            discovered.put(d, groups);
            sync(false, false);
        }
    }

    /**
     * Matches the loops to the current targets; loops of vanished targets mark their series stale.
     *
     * @param restartAll restart every loop with the current config
     * @param handOver   when restarting, let a target's new loop continue the old loop's series
     */
    private void sync(boolean restartAll, boolean handOver) {
        List<TargetGroup> groups = new ArrayList<>(StaticDiscovery.groups(config));
        discovered.values().forEach(groups::addAll);
        TargetBuilder.Targets found = TargetBuilder.targets(config, groups);
        dropped = found.dropped();
        List<ScrapeTarget> targets = found.active();
        Map<ScrapeTarget, ScrapeLoop> unchanged = new LinkedHashMap<>(loops);
        Map<List<Object>, ScrapeLoop> byIdentity = new LinkedHashMap<>();
        loops.values().forEach(l -> byIdentity.put(identity(l.target()), l));
        loops.clear();
        for (ScrapeTarget t : targets) {
            ScrapeLoop loop = unchanged.get(t);
            if (loop != null && !restartAll) {
                byIdentity.remove(identity(t));
                loops.put(t, loop);
                continue;
            }
            ScrapeLoop predecessor = byIdentity.remove(identity(t));
            if (predecessor != null) {
                predecessor.stop(!handOver);
            }
            loop = new ScrapeLoop(t, config, context, handOver ? predecessor : null);
            loops.put(t, loop);
            loop.start();
        }
        byIdentity.values().forEach(l -> l.stop(true));
    }

    /** What makes two targets write the same series: their labels and URL. */
    private static List<Object> identity(ScrapeTarget t) {
        return List.of(t.labels(), t.url());
    }

    /** The discovered labels of the targets relabeling dropped. */
    public synchronized List<Labels> droppedTargets() {
        return dropped;
    }

    public synchronized List<ScrapeLoop> loops() {
        return new ArrayList<>(loops.values());
    }

    /**
     * Stops discovery and every loop.
     *
     * @param markStale true when the job was removed, false at shutdown (a restart continues the series)
     */
    public synchronized void stop(boolean markStale) {
        stopped = true;
        stopDiscoverers(running.values());
        running = new LinkedHashMap<>();
        loops.values().forEach(l -> l.stop(markStale));
        loops.clear();
        dropped = List.of();
    }
}
