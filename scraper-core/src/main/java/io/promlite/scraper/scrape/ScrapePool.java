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
        sync();
    }

    public String jobName() {
        return config.jobName();
    }

    /**
     * Applies a new config of the same job. Unchanged targets keep their loops; when the job's
     * settings changed, every loop restarts with them.
     */
    public void update(ScrapeConfig newConfig) {
        if (!newConfig.equals(config)) {
            stop();
            config = newConfig;
        }
        sync();
    }

    private void sync() {
        List<ScrapeTarget> targets = TargetBuilder.targets(config, StaticDiscovery.groups(config));
        Map<ScrapeTarget, ScrapeLoop> old = new LinkedHashMap<>(loops);
        loops.clear();
        for (ScrapeTarget t : targets) {
            ScrapeLoop loop = old.remove(t);
            if (loop == null) {
                loop = new ScrapeLoop(t, config, context.storage(), context.http(), context.eventLoops().next(),
                        context.executor(), context.metrics());
                loop.start();
            }
            loops.put(t, loop);
        }
        old.values().forEach(ScrapeLoop::stop);
    }

    public List<ScrapeLoop> loops() {
        return new ArrayList<>(loops.values());
    }

    public void stop() {
        loops.values().forEach(ScrapeLoop::stop);
        loops.clear();
    }
}
