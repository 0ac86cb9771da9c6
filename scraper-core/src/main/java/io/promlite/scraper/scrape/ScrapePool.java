package io.promlite.scraper.scrape;

import io.promlite.config.ScrapeConfig;
import io.promlite.scraper.discovery.StaticDiscovery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The scrape loops of one job, kept in step with its config. Not thread-safe: the manager serializes calls. */
public final class ScrapePool {
    private final ScrapeContext context;
    private ScrapeConfig config;
    private final Map<ScrapeTarget, ScrapeLoop> loops = new LinkedHashMap<>();

    public ScrapePool(ScrapeContext context, ScrapeConfig config) {
        this.context = context;
        this.config = config;
        sync(false, false);
    }

    public String jobName() {
        return config.jobName();
    }

    /**
     * Applies a new config of the same job. Unchanged targets keep their loops. When the job's
     * settings changed every loop restarts with them; a target that stays continues its series
     * (no staleness markers) unless the rules that shape series labels changed.
     */
    public void update(ScrapeConfig newConfig) {
        boolean restart = !newConfig.equals(config);
        boolean sameSeries = sameSeriesRules(config, newConfig);
        config = newConfig;
        sync(restart, sameSeries);
    }

    private static boolean sameSeriesRules(ScrapeConfig a, ScrapeConfig b) {
        return a.honorLabels() == b.honorLabels() && a.honorTimestamps() == b.honorTimestamps()
                && a.metricRelabelConfigs().equals(b.metricRelabelConfigs());
    }

    /**
     * Matches the loops to the config's targets; loops of vanished targets mark their series stale.
     *
     * @param restartAll restart every loop with the current config
     * @param handOver   when restarting, let a target's new loop continue the old loop's series
     */
    private void sync(boolean restartAll, boolean handOver) {
        List<ScrapeTarget> targets = TargetBuilder.targets(config, StaticDiscovery.groups(config));
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

    public List<ScrapeLoop> loops() {
        return new ArrayList<>(loops.values());
    }

    /**
     * Stops every loop.
     *
     * @param markStale true when the job was removed, false at shutdown (a restart continues the series)
     */
    public void stop(boolean markStale) {
        loops.values().forEach(l -> l.stop(markStale));
        loops.clear();
    }
}
