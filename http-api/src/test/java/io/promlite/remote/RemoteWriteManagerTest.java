package io.promlite.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.config.ConfigLoader;
import io.promlite.config.PromliteConfig;
import io.promlite.scraper.MetricMetadata;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbOptions;
import io.promlite.tsdb.model.Labels;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Queues over a real store and real HTTP, against a receiver that answers what each test says. */
class RemoteWriteManagerTest {
    private static final long T0 = System.currentTimeMillis() - 60_000;

    @TempDir
    Path dir;
    private TestReceiver receiver;
    private PrometheusRegistry registry;
    private Tsdb tsdb;
    private RemoteWriteManager manager;
    private volatile Map<String, List<MetricMetadata>> targetMetadata = Map.of();

    @BeforeEach
    void open() throws Exception {
        receiver = new TestReceiver();
        openStore();
    }

    private void openStore() throws Exception {
        registry = new PrometheusRegistry();
        tsdb = Tsdb.open(new TsdbOptions(dir, TsdbOptions.DEFAULT_RETENTION, 0, registry));
        manager = new RemoteWriteManager(tsdb, registry, "promlite/test", () -> targetMetadata);
    }

    private void closeStore() throws Exception {
        manager.close();
        tsdb.close();
    }

    @AfterEach
    void close() throws Exception {
        closeStore();
        receiver.close();
    }

    private PromliteConfig config(String queueExtras) throws Exception {
        return ConfigLoader.parse("""
                global:
                  external_labels: { replica: r1, job: external-loses }
                remote_write:
                  - url: %s
                    name: q
                    queue_config: { batch_send_deadline: 50ms, min_backoff: 10ms, max_backoff: 50ms, max_samples_per_send: 50 }
                %s""".formatted(receiver.url(), queueExtras), "rw.yml");
    }

    private void commit(int series, int from, int to) throws Exception {
        Appender app = tsdb.appender();
        for (int i = from; i < to; i++) {
            for (int s = 0; s < series; s++) {
                app.append(0, Labels.of("__name__", "m", "job", "j", "s", "s" + s), T0 + i * 100L, i);
            }
        }
        app.commit();
    }

    private double metric(String name) {
        for (MetricSnapshot m : registry.scrape()) {
            if (m.getMetadata().getPrometheusName().equals(name.replace("_total", ""))
                    || m.getMetadata().getPrometheusName().equals(name)) {
                for (DataPointSnapshot p : m.getDataPoints()) {
                    if ("q".equals(p.getLabels().get("remote_name"))) {
                        return p instanceof CounterSnapshot.CounterDataPointSnapshot c ? c.getValue()
                                : ((GaugeSnapshot.GaugeDataPointSnapshot) p).getValue();
                    }
                }
            }
        }
        return Double.NaN;
    }

    static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        eventually(condition, what, Duration.ofSeconds(15));
    }

    static void eventually(BooleanSupplier condition, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void forwardsCommittedSamplesWithExternalLabelsAndWriteRelabeling() throws Exception {
        manager.apply(config("""
                    write_relabel_configs:
                      - { source_labels: [s], regex: s1, action: drop }
                """));
        commit(3, 0, 10);
        commit(3, 10, 20);
        eventually(() -> receiver.acceptedSamples() == 40, "40 samples");
        Map<Labels, List<long[]>> got = receiver.accepted();
        assertEquals(2, got.size());
        List<long[]> s0 = got.get(Labels.of("__name__", "m", "job", "j", "replica", "r1", "s", "s0"));
        for (int i = 0; i < 20; i++) {
            assertEquals(T0 + i * 100L, s0.get(i)[0]);
            assertEquals(Double.doubleToRawLongBits(i), s0.get(i)[1]);
        }
        eventually(() -> metric("promlite_remote_storage_samples_total") == 40, "sent counter");
        assertEquals(20, metric("promlite_remote_storage_samples_dropped_total"));
        assertEquals((T0 + 1900) / 1000.0, metric("promlite_remote_storage_queue_highest_sent_timestamp_seconds"));
        assertEquals(1, metric("promlite_remote_storage_shards"));
        assertEquals("promlite/test", receiver.lastUserAgent);
    }

    @Test
    void sendsTheTargetsMetadataEveryIntervalInBatches() throws Exception {
        targetMetadata = Map.of(
                "http_requests_total", List.of(new MetricMetadata("counter", "Requests served.", "")),
                "temperature_celsius", List.of(new MetricMetadata("gauge", "Heat.", "celsius"),
                        new MetricMetadata("gauge", "Heat, said differently.", "celsius")),
                "odd", List.of(new MetricMetadata("unknown", "", "")));
        manager.apply(config("""
                    metadata_config: { send_interval: 200ms, max_samples_per_send: 3 }
                """));
        eventually(() -> receiver.metadataRequests().size() >= 4, "two intervals of metadata");
        List<List<TestReceiver.Metadata>> requests = receiver.metadataRequests();
        assertEquals(3, requests.get(0).size(), "max_samples_per_send entries per request");
        assertEquals(1, requests.get(1).size());
        Set<TestReceiver.Metadata> sent = new HashSet<>(requests.get(0));
        sent.addAll(requests.get(1));
        assertEquals(Set.of(
                new TestReceiver.Metadata(1, "http_requests_total", "Requests served.", ""),
                new TestReceiver.Metadata(2, "temperature_celsius", "Heat.", "celsius"),
                new TestReceiver.Metadata(2, "temperature_celsius", "Heat, said differently.", "celsius"),
                new TestReceiver.Metadata(0, "odd", "", "")), sent);
        eventually(() -> metric("promlite_remote_storage_metadata_total") >= 8, "metadata counter");
        assertTrue(metric("promlite_remote_storage_metadata_bytes_total") > 0);
        assertEquals(0, receiver.acceptedSamples(), "metadata requests carry no samples");
    }

    @Test
    void metadataIsRetriedOn5xxAndDroppedOn4xx() throws Exception {
        targetMetadata = Map.of("up", List.of(new MetricMetadata("gauge", "", "")));
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(() -> switch (calls.incrementAndGet()) {
            case 1 -> 503;
            case 2 -> 400;
            default -> 204;
        });
        manager.apply(config("""
                    metadata_config: { send_interval: 100ms }
                """));
        eventually(() -> metric("promlite_remote_storage_metadata_total") >= 1, "metadata delivered");
        assertEquals(1, metric("promlite_remote_storage_metadata_retried_total"));
        assertEquals(1, metric("promlite_remote_storage_metadata_failed_total"));
    }

    @Test
    void metadataIsNotSentWhenTurnedOff() throws Exception {
        targetMetadata = Map.of("up", List.of(new MetricMetadata("gauge", "", "")));
        manager.apply(config("""
                    metadata_config: { send: false, send_interval: 20ms }
                """));
        commit(1, 0, 3);
        eventually(() -> receiver.acceptedSamples() == 3, "the samples");
        Thread.sleep(200);
        assertEquals(List.of(), receiver.metadataRequests());
        assertEquals(0, metric("promlite_remote_storage_metadata_total"));
    }

    @Test
    void retriesServerErrorsAnd429WithBackoffUntilDelivered() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(() -> switch (calls.incrementAndGet()) {
            case 1, 2, 3 -> 503;
            case 4, 5 -> 429;
            default -> 204;
        });
        manager.apply(config(""));
        commit(2, 0, 10);
        eventually(() -> receiver.acceptedSamples() == 20, "20 samples after retries");
        assertTrue(metric("promlite_remote_storage_samples_retried_total") >= 5 * 20 - 1e-9);
        assertEquals(0, metric("promlite_remote_storage_samples_failed_total"));
        receiver.accepted().values().forEach(samples -> assertEquals(10, samples.size(), "nothing duplicated"));
    }

    @Test
    void aRetryAfterFromTheReceiverWinsOverTheBackoff() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        long[] callTimes = new long[2];
        receiver.retryAfter = "1";
        receiver.answer(() -> {
            int call = calls.incrementAndGet();
            if (call <= 2) {
                callTimes[call - 1] = System.nanoTime();
            }
            return call == 1 ? 429 : 204;
        });
        manager.apply(config(""));
        commit(1, 0, 3);
        eventually(() -> receiver.acceptedSamples() == 3, "3 samples");
        long waitedMs = (callTimes[1] - callTimes[0]) / 1_000_000;
        assertTrue(waitedMs >= 900, "waited " + waitedMs + "ms, not the receiver's 1s");
        assertEquals(0, HttpSender.retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT"), "a date in the past");
        assertEquals(120_000, HttpSender.retryAfterMs("120"));
        assertEquals(0, HttpSender.retryAfterMs("soon"));
    }

    @Test
    void clientErrorsAreDroppedAndCounted() throws Exception {
        receiver.answer(() -> 400);
        manager.apply(config("""
                    authorization: { credentials: s3cret }
                """));
        commit(2, 0, 5);
        eventually(() -> metric("promlite_remote_storage_samples_failed_total") == 10, "10 failed samples");
        assertEquals("Bearer s3cret", receiver.lastAuthorization);
        receiver.answer(() -> 204);
        commit(2, 5, 8);
        eventually(() -> receiver.acceptedSamples() == 6, "the later samples");
        assertEquals(0, metric("promlite_remote_storage_samples_retried_total"));
    }

    @Test
    void a429IsDroppedWhenRetryingItIsOff() throws Exception {
        receiver.answer(() -> 429);
        manager.apply(ConfigLoader.parse("""
                remote_write:
                  - url: %s
                    name: q
                    basic_auth: { username: u, password: p }
                    queue_config: { batch_send_deadline: 50ms, retry_on_http_429: false }
                """.formatted(receiver.url()), "rw.yml"));
        commit(1, 0, 4);
        eventually(() -> metric("promlite_remote_storage_samples_failed_total") == 4, "4 failed samples");
        assertEquals(0, metric("promlite_remote_storage_samples_retried_total"));
        assertEquals("Basic dTpw", receiver.lastAuthorization);
    }

    @Test
    void unsentSamplesSurviveARestartAndAreSentOnce() throws Exception {
        receiver.answer(() -> 503);
        manager.apply(config(""));
        commit(3, 0, 30);
        eventually(() -> metric("promlite_remote_storage_samples_retried_total") > 0, "retries");
        closeStore();
        openStore();
        commit(3, 30, 40);
        receiver.answer(() -> 204);
        manager.apply(config(""));
        commit(3, 40, 50);
        eventually(() -> receiver.acceptedSamples() == 150, "150 samples");
        receiver.accepted().values().forEach(samples -> {
            assertEquals(50, samples.size());
            for (int i = 0; i < 50; i++) {
                assertEquals(T0 + i * 100L, samples.get(i)[0], "in order, once each");
            }
        });
    }

    @Test
    void fullBatchesGoAtOnceAndTheRestAtTheBatchDeadline() throws Exception {
        manager.apply(ConfigLoader.parse("""
                remote_write:
                  - url: %s
                    name: q
                    queue_config: { batch_send_deadline: 5s, max_samples_per_send: 50, min_shards: 1, max_shards: 1 }
                """.formatted(receiver.url()), "rw.yml"));
        commit(12, 0, 10);
        // One record of 120 samples: two full batches go without waiting for the deadline...
        eventually(() -> receiver.acceptedSamples() >= 100, "two full batches", Duration.ofSeconds(4));
        assertEquals(100, receiver.acceptedSamples());
        // ...and the 20 left once the oldest of them waited batch_send_deadline.
        eventually(() -> receiver.acceptedSamples() == 120, "the rest");
    }

    @Test
    void aShardBufferSmallerThanTheBacklogWrapsAroundKeepingEachSeriesInOrder() throws Exception {
        // 7 slots and batches of 3: batches start at every offset and often span the buffer's end.
        manager.apply(ConfigLoader.parse("""
                remote_write:
                  - url: %s
                    name: q
                    queue_config: { capacity: 7, batch_send_deadline: 10ms, max_samples_per_send: 3, min_shards: 1, max_shards: 1 }
                """.formatted(receiver.url()), "rw.yml"));
        commit(5, 0, 40);
        eventually(() -> receiver.acceptedSamples() == 200, "200 samples");
        Map<Labels, List<long[]>> got = receiver.accepted();
        assertEquals(5, got.size());
        for (List<long[]> samples : got.values()) {
            assertEquals(40, samples.size());
            for (int i = 0; i < 40; i++) {
                assertEquals(T0 + i * 100L, samples.get(i)[0], "in order, once each");
                assertEquals(Double.doubleToRawLongBits(i), samples.get(i)[1]);
            }
        }
    }

    @Test
    void shardsGrowWithABacklogAndShrinkWhenIdle() throws Exception {
        receiver.answer(() -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 204;
        });
        manager.apply(ConfigLoader.parse("""
                remote_write:
                  - url: %s
                    name: q
                    queue_config: { batch_send_deadline: 50ms, max_samples_per_send: 10, min_shards: 1, max_shards: 4 }
                """.formatted(receiver.url()), "rw.yml"));
        for (int i = 0; i < 50; i++) {
            commit(100, i, i + 1);
        }
        eventually(() -> manager.shards().get("q") > 1, "more shards");
        eventually(() -> receiver.acceptedSamples() == 5000, "every sample");
        // The smoothed rates decay for several reshard intervals before fewer shards are worth a drain.
        eventually(() -> manager.shards().get("q") == 1, "back to one shard", Duration.ofSeconds(40));
        receiver.accepted().values().forEach(samples -> {
            for (int i = 0; i < samples.size(); i++) {
                assertEquals(T0 + i * 100L, samples.get(i)[0], "each series in order across reshards");
            }
        });
    }

    @Test
    void aChangedQueueRestartsFromItsPersistedPosition() throws Exception {
        receiver.answer(() -> 503);
        manager.apply(config(""));
        commit(2, 0, 10);
        eventually(() -> metric("promlite_remote_storage_samples_retried_total") > 0, "retries");
        manager.apply(config("""
                    remote_timeout: 5s
                """));
        commit(2, 10, 20);
        receiver.answer(() -> 204);
        eventually(() -> receiver.acceptedSamples() == 40, "40 samples");
        receiver.accepted().values().forEach(samples -> assertEquals(20, samples.size(), "once each"));
    }

    @Test
    void removedQueuesReleaseTheirLogPosition() throws Exception {
        manager.apply(config(""));
        assertEquals(java.util.Set.of("q"), tsdb.logCursorNames());
        manager.apply(ConfigLoader.parse("scrape_configs: []\n", "empty.yml"));
        assertEquals(java.util.Set.of(), tsdb.logCursorNames());
        assertEquals(List.of(), manager.queueNames());
    }
}
