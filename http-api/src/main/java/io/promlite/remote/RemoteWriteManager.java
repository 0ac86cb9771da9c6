package io.promlite.remote;

import io.promlite.config.PromliteConfig;
import io.promlite.config.RemoteWriteConfig;
import io.promlite.scraper.MetricMetadata;
import io.promlite.tsdb.Tsdb;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link QueueManager} per {@code remote_write} entry. On a configuration change a queue
 * whose entry and external labels are unchanged keeps running; a changed one restarts from its
 * persisted position; a removed one stops and its log position is forgotten, so it no longer
 * holds log records back.
 */
public final class RemoteWriteManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RemoteWriteManager.class);

    private final Tsdb tsdb;
    private final RemoteWriteMetrics metrics;
    private final String userAgent;
    private final Supplier<Map<String, List<MetricMetadata>>> metadata;
    private final Map<String, Running> queues = new LinkedHashMap<>();

    private record Running(QueueManager queue, Map<String, String> externalLabels) {
    }

    /**
     * @param metadata the active targets' metric metadata by metric name (as
     *                 {@link io.promlite.scraper.ScrapeManager#metadata()} gives it), which queues
     *                 send as {@code metadata_config} says
     */
    public RemoteWriteManager(Tsdb tsdb, PrometheusRegistry registry, String userAgent,
                              Supplier<Map<String, List<MetricMetadata>>> metadata) {
        this.tsdb = tsdb;
        this.metadata = metadata;
        this.metrics = new RemoteWriteMetrics(registry);
        this.userAgent = userAgent;
    }

    /**
     * Starts, restarts and stops queues to match {@code config}.
     *
     * @throws IllegalArgumentException when two entries share a queue name (unnamed entries with
     *                                  the same URL) or an entry's TLS settings cannot be used;
     *                                  nothing is changed then
     */
    public synchronized void apply(PromliteConfig config) throws InterruptedException {
        Map<String, RemoteWriteConfig> wanted = new LinkedHashMap<>();
        for (RemoteWriteConfig rw : config.remoteWriteConfigs()) {
            if (wanted.put(rw.queueName(), rw) != null) {
                throw new IllegalArgumentException(
                        "duplicate remote write configs are not allowed, found duplicate for URL: " + rw.url());
            }
        }
        Map<String, String> external = config.global().externalLabels();
        // Senders first: an unusable entry fails the whole change before anything stops.
        Map<String, HttpSender> created = new LinkedHashMap<>();
        for (RemoteWriteConfig rw : wanted.values()) {
            Running running = queues.get(rw.queueName());
            if (running == null || !running.queue.config().equals(rw) || !running.externalLabels.equals(external)) {
                created.put(rw.queueName(), new HttpSender(rw, userAgent));
            }
        }
        for (var it = queues.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey()) || created.containsKey(e.getKey())) {
                e.getValue().queue.stop();
                it.remove();
            }
        }
        for (String name : tsdb.logCursorNames()) {
            if (!wanted.containsKey(name)) {
                tsdb.dropLogCursor(name);
            }
        }
        for (var e : created.entrySet()) {
            // Opened only now that the queue it replaces has stopped moving the position.
            QueueManager q = new QueueManager(wanted.get(e.getKey()), external, tsdb.logCursor(e.getKey()),
                    e.getValue(), metrics, metadata);
            q.start();
            queues.put(e.getKey(), new Running(q, external));
            log.atInfo().addKeyValue("remote_name", e.getKey()).addKeyValue("url", q.config().url())
                    .log("Starting WAL watcher");
        }
    }

    /** The shards each queue runs now, by queue name. */
    public synchronized Map<String, Integer> shards() {
        Map<String, Integer> out = new LinkedHashMap<>();
        queues.forEach((name, r) -> out.put(name, r.queue.shardCount()));
        return out;
    }

    public synchronized List<String> queueNames() {
        return List.copyOf(queues.keySet());
    }

    @Override
    public synchronized void close() throws InterruptedException {
        for (Running r : queues.values()) {
            r.queue.stop();
        }
        queues.clear();
    }
}
