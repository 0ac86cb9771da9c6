package io.promlite.scraper;

import static io.promlite.scraper.ScrapeManagerTest.await;
import static io.promlite.scraper.ScrapeManagerTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.promlite.scraper.StoredSamples.Sample;
import io.promlite.tsdb.AppendException;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Querier;
import io.promlite.tsdb.Storage;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.StaleNaN;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StalenessAndCacheTest {
    private StoredSamples storage;
    private ScrapeManager manager;

    @BeforeEach
    void open(@TempDir Path dir) throws Exception {
        storage = new StoredSamples(dir);
        manager = new ScrapeManager(storage.tsdb, new PrometheusRegistry());
    }

    @AfterEach
    void close() {
        manager.close();
        storage.close();
    }

    private static String job(String name, TestTarget target, String extra) {
        return "scrape_configs:\n  - job_name: " + name + "\n    scrape_interval: 400ms\n    scrape_timeout: 400ms\n"
                + extra + "    static_configs: [{targets: ['" + target.address() + "']}]\n";
    }

    private List<Sample> stale(String... namesAndValues) {
        return storage.samples(namesAndValues).stream().filter(s -> StaleNaN.is(s.value())).toList();
    }

    /** Timestamps of the scrapes that succeeded, oldest first. */
    private List<Long> successfulScrapes() {
        return storage.samples("__name__", "up").stream().filter(s -> s.value() == 1).map(Sample::timestamp).toList();
    }

    private double valueAt(String metric, long timestamp) {
        return storage.samples("__name__", metric).stream().filter(s -> s.timestamp() == timestamp)
                .findFirst().orElseThrow().value();
    }

    private boolean hasSampleAt(String metric, long timestamp) {
        return storage.samples("__name__", metric).stream().anyMatch(s -> s.timestamp() == timestamp);
    }

    @Test
    void seriesMissingFromAScrapeAreMarkedStaleAtThatScrape() throws Exception {
        try (TestTarget target = new TestTarget().body("a 1\nb{x=\"1\"} 1\n")) {
            manager.apply(config(job("j", target, "")));
            await("b scraped", () -> !storage.samples("__name__", "b").isEmpty());
            target.body("a 1\n");
            await("b marked stale", () -> !stale("__name__", "b").isEmpty());
            Sample marker = stale("__name__", "b").get(0);
            assertTrue(hasSampleAt("up", marker.timestamp()), "the marker carries the scrape's timestamp");
            assertTrue(hasSampleAt("a", marker.timestamp()));
            assertEquals("1", marker.labels().get("x"));
            assertTrue(stale("__name__", "a").isEmpty());
            int markers = stale("__name__", "b").size();
            Thread.sleep(700);
            assertEquals(markers, stale("__name__", "b").size(), "a series is marked stale once");
        }
    }

    @Test
    void aFailedScrapeMarksEveryPreviousSeriesStale() throws Exception {
        try (TestTarget target = new TestTarget().body("a 1\nb 2\n")) {
            manager.apply(config(job("j", target, "")));
            await("a scraped", () -> !storage.samples("__name__", "a").isEmpty());
            target.status(503);
            await("a and b marked stale", () -> !stale("__name__", "a").isEmpty() && !stale("__name__", "b").isEmpty());
            long t = stale("__name__", "a").get(0).timestamp();
            assertTrue(storage.samples("__name__", "up").stream().anyMatch(s -> s.timestamp() == t && s.value() == 0));
            assertTrue(stale("__name__", "up").isEmpty(), "the report series stay live while the target exists");
            target.status(200);
            await("a back", () -> storage.samples("__name__", "a").stream().anyMatch(s -> s.timestamp() > t && s.value() == 1));
        }
    }

    @Test
    void aRemovedTargetMarksItsSeriesAndReportStale() throws Exception {
        try (TestTarget target = new TestTarget().body("a 1\n")) {
            manager.apply(config(job("j", target, "")));
            await("a scraped", () -> !storage.samples("__name__", "a").isEmpty());
            manager.apply(config(""));
            await("a and up marked stale", () -> !stale("__name__", "a").isEmpty() && !stale("__name__", "up").isEmpty());
            assertFalse(stale("__name__", "scrape_duration_seconds").isEmpty());
        }
    }

    @Test
    void seriesWithTheirOwnTimestampsAreNotMarkedStale() throws Exception {
        long ts = System.currentTimeMillis();
        try (TestTarget target = new TestTarget().body("own " + 1 + " " + ts + "\nplain 1\n")) {
            manager.apply(config(job("j", target, "")));
            await("scraped", () -> !storage.samples("__name__", "own").isEmpty());
            target.body("other 1\n");
            await("plain marked stale", () -> !stale("__name__", "plain").isEmpty());
            Thread.sleep(700);
            assertTrue(stale("__name__", "own").isEmpty());
        }
    }

    @Test
    void reportCountsAddedSeriesAndMetricRelabeling() throws Exception {
        try (TestTarget target = new TestTarget().body("keep{l=\"A\"} 1\ndrop_me 1\n")) {
            manager.apply(config(job("j", target, """
                        metric_relabel_configs:
                          - source_labels: [__name__]
                            regex: drop_.*
                            action: drop
                          - source_labels: [l]
                            target_label: l
                            action: lowercase
                    """)));
            await("two successful scrapes", () -> successfulScrapes().size() >= 2);
            List<Long> ok = successfulScrapes();
            assertEquals(1, valueAt("scrape_series_added", ok.get(0)));
            assertEquals(0, valueAt("scrape_series_added", ok.get(1)));
            assertEquals(2, valueAt("scrape_samples_scraped", ok.get(0)));
            assertEquals(1, valueAt("scrape_samples_post_metric_relabeling", ok.get(0)));
            assertTrue(storage.samples("__name__", "drop_me").isEmpty());
            assertEquals("a", storage.samples("__name__", "keep").get(0).labels().get("l"));
        }
    }

    @Test
    void fileDiscoveredTargetsComeAndGo(@TempDir Path dir) throws Exception {
        try (TestTarget a = new TestTarget().body("from_a 1\n"); TestTarget b = new TestTarget().body("from_b 1\n")) {
            Path file = dir.resolve("targets.json");
            Files.writeString(file, "[{\"targets\": [\"" + a.address() + "\"], \"labels\": {\"team\": \"x\"}}]");
            manager.apply(config("""
                    scrape_configs:
                      - job_name: files
                        scrape_interval: 400ms
                        scrape_timeout: 400ms
                        file_sd_configs:
                          - files: ['%s']
                            refresh_interval: 50ms
                        relabel_configs:
                          - source_labels: [__meta_filepath]
                            regex: '.*/(.*)'
                            target_label: source
                    """.formatted(dir.resolve("*.json"))));
            await("a scraped", () -> !storage.samples("__name__", "from_a").isEmpty());
            assertEquals("x", storage.samples("__name__", "from_a").get(0).labels().get("team"));
            assertEquals("targets.json", storage.samples("__name__", "from_a").get(0).labels().get("source"));

            Files.writeString(dir.resolve("more.json"), "[{\"targets\": [\"" + b.address() + "\"]}]");
            await("b discovered and scraped", () -> !storage.samples("__name__", "from_b").isEmpty());
            Files.delete(file);
            await("a's series marked stale", () -> !stale("__name__", "from_a").isEmpty());
            assertEquals(List.of(b.address()), manager.activeTargets().stream()
                    .map(t -> t.labels().get("instance")).toList());
        }
    }

    @Test
    void aReloadKeepsFileDiscoveredTargets(@TempDir Path dir) throws Exception {
        try (TestTarget a = new TestTarget().body("reloaded 1\n")) {
            Files.writeString(dir.resolve("t.json"), "[{\"targets\": [\"" + a.address() + "\"]}]");
            String yaml = """
                    scrape_configs:
                      - job_name: files
                        scrape_interval: 400ms
                        scrape_timeout: 400ms
                        file_sd_configs: [{files: ['%s'], refresh_interval: 1h}]
                    """.formatted(dir.resolve("t.json"));
            manager.apply(config(yaml));
            await("scraped", () -> !storage.samples("__name__", "reloaded").isEmpty());
            // Another discovery entry joins: the unchanged one keeps what it found.
            manager.apply(config(yaml.replace("refresh_interval: 1h}]",
                    "refresh_interval: 1h}, {files: ['" + dir.resolve("other.json") + "']}]")));
            assertEquals(1, manager.activeTargets().size(), "the discovered target survives the reload");
            int before = storage.samples("__name__", "reloaded").size();
            await("scraped after the reload", () -> storage.samples("__name__", "reloaded").size() > before + 1);
            assertTrue(stale("__name__", "reloaded").isEmpty());
        }
    }

    /**
     * The scrape cache keeps no labels. A store that takes no ref alone (as one that evicted the
     * series) gets every known series' labels rebuilt from its raw text: target labels, the
     * exported_ prefix and metric relabeling exactly as on first sight, for samples and markers.
     */
    @Test
    void aStoreThatForgetsRefsGetsTheSameLabelsRebuilt() throws Exception {
        Storage forgetful = wrappingAppenders(app -> new ForwardingAppender(app) {
            @Override
            public long append(long ref, Labels labels, long timestampMs, double value) throws AppendException {
                // Finds the series by its labels alone, whatever the ref.
                return app.append(0, labels, timestampMs, value);
            }
        });
        manager.close();
        manager = new ScrapeManager(forgetful, new PrometheusRegistry());
        try (TestTarget target = new TestTarget().body("m{job=\"mine\",path=\"C:\\\\X\"} 1\ngone{l=\"A\"} 2\ndrop_me 3\n")) {
            manager.apply(config(job("j", target, """
                        metric_relabel_configs:
                          - source_labels: [__name__]
                            regex: drop_.*
                            action: drop
                          - source_labels: [path]
                            target_label: path
                            action: lowercase
                    """)));
            await("three successful scrapes", () -> successfulScrapes().size() >= 3);
            target.body("m{job=\"mine\",path=\"C:\\\\X\"} 1\n");
            await("gone marked stale", () -> !stale("__name__", "gone").isEmpty());
            List<Sample> m = storage.samples("__name__", "m");
            assertEquals(1, m.stream().map(Sample::labels).distinct().count(), "one series: " + m);
            assertTrue(m.size() >= 3);
            Labels labels = m.get(0).labels();
            assertEquals("j", labels.get("job"));
            assertEquals("mine", labels.get("exported_job"));
            assertEquals("c:\\x", labels.get("path"));
            assertEquals(target.address(), labels.get("instance"));
            List<Sample> gone = storage.samples("__name__", "gone");
            assertEquals(1, gone.stream().map(Sample::labels).distinct().count(), "the marker ends the same series");
            assertTrue(StaleNaN.is(gone.get(gone.size() - 1).value()));
            assertTrue(storage.samples("__name__", "drop_me").isEmpty());
        }
    }

    /**
     * Before a scrape appends known series by ref, it tells the store which refs come next
     * (a window at a time), so the store can load them into the cache together.
     */
    @Test
    void knownSeriesArePrefetchedBeforeTheyAreAppended() throws Exception {
        AtomicInteger knownAppends = new AtomicInteger();
        AtomicInteger unhinted = new AtomicInteger();
        Storage hinted = wrappingAppenders(app -> new ForwardingAppender(app) {
            private final Set<Long> prefetched = new HashSet<>();

            @Override
            public long appendKnown(long ref, long timestampMs, double value) throws AppendException {
                knownAppends.incrementAndGet();
                if (!prefetched.contains(ref)) {
                    unhinted.incrementAndGet();
                }
                return app.appendKnown(ref, timestampMs, value);
            }

            @Override
            public void prefetch(long[] refs, int from, int to) {
                for (int i = from; i < to; i++) {
                    prefetched.add(refs[i]);
                }
                app.prefetch(refs, from, to);
            }
        });
        manager.close();
        manager = new ScrapeManager(hinted, new PrometheusRegistry());
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            body.append("m{i=\"").append(i).append("\"} ").append(i).append('\n');
        }
        try (TestTarget target = new TestTarget().body(body.toString())) {
            manager.apply(config(job("j", target, "")));
            await("three successful scrapes", () -> successfulScrapes().size() >= 3);
            assertTrue(knownAppends.get() >= 100, "known series appended by ref: " + knownAppends.get());
            assertEquals(0, unhinted.get(), "every series appended by ref was prefetched first");
            assertEquals(100, storage.samples("__name__", "m").stream().map(Sample::labels).distinct().count());
        }
    }

    @Test
    void aChangedIntervalContinuesSeriesButChangedRelabelingEndsThem() throws Exception {
        try (TestTarget target = new TestTarget().body("a 1\n")) {
            manager.apply(config(job("j", target, "")));
            await("a scraped", () -> !storage.samples("__name__", "a").isEmpty());
            manager.apply(config(job("j", target, "").replace("scrape_interval: 400ms", "scrape_interval: 450ms")));
            int before = storage.samples("__name__", "a").size();
            await("scraped by the new loop", () -> storage.samples("__name__", "a").size() > before + 1);
            assertTrue(stale("__name__", "a").isEmpty(), "a restart with the same series rules writes no markers");

            manager.apply(config(job("j", target, """
                        metric_relabel_configs:
                          - target_label: v
                            replacement: "2"
                    """)));
            await("the old series marked stale", () -> stale("__name__", "a").stream().anyMatch(s -> !s.labels().has("v")));
            await("the new series", () -> !storage.samples("__name__", "a", "v", "2").isEmpty());
        }
    }

    /** The test's store, with each appender it hands out wrapped by {@code wrap}. */
    private Storage wrappingAppenders(UnaryOperator<Appender> wrap) {
        return new Storage() {
            @Override
            public Appender appender() {
                return wrap.apply(storage.tsdb.appender());
            }

            @Override
            public Querier querier(long mint, long maxt) {
                return storage.tsdb.querier(mint, maxt);
            }

            @Override
            public void close() {
            }
        };
    }

    /** Passes samples and the transaction's end to the store's appender; a test overrides what it watches. */
    private abstract static class ForwardingAppender implements Appender {
        final Appender app;

        ForwardingAppender(Appender app) {
            this.app = app;
        }

        @Override
        public long append(long ref, Labels labels, long timestampMs, double value) throws AppendException {
            return app.append(ref, labels, timestampMs, value);
        }

        @Override
        public void commit() {
            app.commit();
        }

        @Override
        public void rollback() {
            app.rollback();
        }
    }
}
