package io.promlite.remote;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Remote write's own metrics, named after Prometheus's {@code prometheus_remote_storage_*} ones
 * with the {@code promlite_} prefix, one series per queue ({@code remote_name}, {@code url}).
 */
final class RemoteWriteMetrics {
    private static final String PREFIX = "promlite_remote_storage_";

    final Counter samplesSent;
    final Counter samplesFailed;
    final Counter samplesRetried;
    final Counter samplesDropped;
    final Counter bytesSent;
    final Counter metadataEntriesSent;
    final Counter metadataEntriesFailed;
    final Counter metadataEntriesRetried;
    final Counter metadataBytesSent;
    final Gauge samplesPending;
    final Gauge highestSentTimestamp;
    final Gauge shards;
    final Gauge shardsDesired;
    final Gauge shardsMin;
    final Gauge shardsMax;

    RemoteWriteMetrics(PrometheusRegistry registry) {
        samplesSent = counter(registry, "samples", "Samples sent to remote storage.");
        samplesFailed = counter(registry, "samples_failed",
                "Samples that failed on send to remote storage with an error that cannot be retried (a 4xx).");
        samplesRetried = counter(registry, "samples_retried",
                "Samples that failed on send to remote storage and were retried.");
        samplesDropped = counter(registry, "samples_dropped",
                "Samples dropped before being sent: removed by write_relabel_configs or of an unknown series.");
        bytesSent = counter(registry, "bytes", "Compressed request bytes sent to remote storage.");
        metadataEntriesSent = counter(registry, "metadata", "Metric metadata entries sent to remote storage.");
        metadataEntriesFailed = counter(registry, "metadata_failed",
                "Metric metadata entries that failed on send to remote storage with an error that cannot be retried.");
        metadataEntriesRetried = counter(registry, "metadata_retried",
                "Metric metadata entries that failed on send to remote storage and were retried.");
        metadataBytesSent = counter(registry, "metadata_bytes", "Compressed metadata request bytes sent to remote storage.");
        samplesPending = gauge(registry, "samples_pending", "Samples read from the log and waiting in shards.");
        highestSentTimestamp = gauge(registry, "queue_highest_sent_timestamp_seconds",
                "Timestamp of the newest sample the receiver accepted, in seconds since the epoch.");
        shards = gauge(registry, "shards", "Shards sending in parallel.");
        shardsDesired = gauge(registry, "shards_desired", "Shards the backlog calls for.");
        shardsMin = gauge(registry, "shards_min", "The queue's min_shards.");
        shardsMax = gauge(registry, "shards_max", "The queue's max_shards.");
    }

    private static Counter counter(PrometheusRegistry registry, String name, String help) {
        return Counter.builder().name(PREFIX + name + "_total").help(help).labelNames("remote_name", "url")
                .register(registry);
    }

    private static Gauge gauge(PrometheusRegistry registry, String name, String help) {
        return Gauge.builder().name(PREFIX + name).help(help).labelNames("remote_name", "url").register(registry);
    }

    /** One queue's data points, resolved once so the send path does no label lookups. */
    final class Queue {
        final CounterDataPoint sent;
        final CounterDataPoint failed;
        final CounterDataPoint retried;
        final CounterDataPoint dropped;
        final CounterDataPoint bytes;
        final CounterDataPoint metadataSent;
        final CounterDataPoint metadataFailed;
        final CounterDataPoint metadataRetried;
        final CounterDataPoint metadataBytes;
        final GaugeDataPoint pending;
        final GaugeDataPoint highestSent;
        final GaugeDataPoint shardCount;
        final GaugeDataPoint desired;
        private final String[] labels;

        Queue(String name, String url, int minShards, int maxShards) {
            labels = new String[] {name, url};
            sent = samplesSent.labelValues(labels);
            failed = samplesFailed.labelValues(labels);
            retried = samplesRetried.labelValues(labels);
            dropped = samplesDropped.labelValues(labels);
            bytes = bytesSent.labelValues(labels);
            metadataSent = metadataEntriesSent.labelValues(labels);
            metadataFailed = metadataEntriesFailed.labelValues(labels);
            metadataRetried = metadataEntriesRetried.labelValues(labels);
            metadataBytes = metadataBytesSent.labelValues(labels);
            pending = samplesPending.labelValues(labels);
            highestSent = highestSentTimestamp.labelValues(labels);
            shardCount = shards.labelValues(labels);
            desired = shardsDesired.labelValues(labels);
            shardsMin.labelValues(labels).set(minShards);
            shardsMax.labelValues(labels).set(maxShards);
        }

        void remove() {
            for (var metric : new io.prometheus.metrics.core.metrics.StatefulMetric<?, ?>[] {samplesSent, samplesFailed,
                samplesRetried, samplesDropped, bytesSent, metadataEntriesSent, metadataEntriesFailed, metadataEntriesRetried,
                metadataBytesSent,
                samplesPending, highestSentTimestamp, shards, shardsDesired,
                shardsMin, shardsMax}) {
                metric.remove(labels);
            }
        }
    }
}
