package io.promlite.tsdb;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** The store's own metrics, named after Prometheus's {@code prometheus_tsdb_*} ones. */
final class TsdbMetrics {
    final Counter samplesAppended;
    final Counter outOfOrder;
    final Counter duplicate;
    final Counter outOfBounds;
    final Counter chunksWritten;
    final Counter retentionDeletions;
    final Counter logRecordsDropped;
    private final GaugeWithCallback headSeries;
    private final GaugeWithCallback storageBytes;
    private final GaugeWithCallback logBytes;
    private final GaugeWithCallback rocksMemory;
    private final PrometheusRegistry registry;

    TsdbMetrics(PrometheusRegistry registry, LongSupplier headSeriesCount, LongSupplier storageSize,
                LongSupplier logSize, Supplier<long[]> rocksMemoryUsage) {
        this.registry = registry;
        samplesAppended = counter("promlite_tsdb_samples_appended_total", "Samples committed to the store.");
        outOfOrder = counter("promlite_tsdb_out_of_order_samples_total",
                "Samples rejected for being older than their series' newest sample.");
        duplicate = counter("promlite_tsdb_duplicate_samples_total",
                "Samples rejected for repeating a timestamp with a different value.");
        outOfBounds = counter("promlite_tsdb_out_of_bounds_samples_total",
                "Samples rejected for being older than the retention already removed.");
        chunksWritten = counter("promlite_tsdb_chunks_written_total", "Chunks written to disk.");
        retentionDeletions = counter("promlite_tsdb_retention_deletions_total",
                "Day partitions removed by time or size retention.");
        logRecordsDropped = counter("promlite_tsdb_log_records_dropped_total",
                "Commit-log records deleted before every remote-write queue read them (log cap or retention).");
        headSeries = GaugeWithCallback.builder()
                .name("promlite_tsdb_head_series")
                .help("Series held in memory.")
                .callback(cb -> cb.call(headSeriesCount.getAsLong()))
                .register(registry);
        storageBytes = GaugeWithCallback.builder()
                .name("promlite_tsdb_storage_bytes")
                .help("Bytes of live RocksDB table files.")
                .callback(cb -> cb.call(storageSize.getAsLong()))
                .register(registry);
        logBytes = GaugeWithCallback.builder()
                .name("promlite_tsdb_log_bytes")
                .help("Bytes of commit-log records kept for checkpoints and unsent remote-write queues.")
                .callback(cb -> cb.call(logSize.getAsLong()))
                .register(registry);
        rocksMemory = GaugeWithCallback.builder()
                .name("promlite_tsdb_rocksdb_memory_bytes")
                .help("RocksDB's memory by kind: memtables, block_cache (its usage includes the memtables' "
                        + "reservation), table_readers (index and filter blocks outside the cache).")
                .labelNames("kind")
                .callback(cb -> {
                    long[] m = rocksMemoryUsage.get();
                    if (m != null) {
                        cb.call(m[0], "memtables");
                        cb.call(m[1], "block_cache");
                        cb.call(m[2], "table_readers");
                    }
                })
                .register(registry);
    }

    private Counter counter(String name, String help) {
        return Counter.builder().name(name).help(help).register(registry);
    }

    void unregister() {
        for (var c : new io.prometheus.metrics.model.registry.Collector[] {samplesAppended, outOfOrder, duplicate,
            outOfBounds, chunksWritten, retentionDeletions, logRecordsDropped, headSeries, storageBytes, logBytes,
            rocksMemory}) {
            registry.unregister(c);
        }
    }
}
