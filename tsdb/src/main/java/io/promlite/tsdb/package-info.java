/**
 * promlite's time-series store: the storage interfaces ({@link io.promlite.tsdb.Storage},
 * {@link io.promlite.tsdb.Appender}, {@link io.promlite.tsdb.Querier}) and their RocksDB-backed
 * implementation, {@link io.promlite.tsdb.Tsdb}.
 *
 * <p>A sample's way in: {@code Appender.append} stages it in primitive arrays; {@code commit}
 * writes one RocksDB batch (a compact log record plus any new series and postings) and appends
 * the samples to in-memory open chunks ({@link io.promlite.tsdb.head}); full chunks go to the
 * {@code chunks} column family ({@link io.promlite.tsdb.store}). A query's way out: postings
 * ({@link io.promlite.tsdb.index}) name the matching series per day partition, their chunks come
 * from memory and RocksDB, and {@link io.promlite.tsdb.chunkenc} decodes them lazily.
 */
package io.promlite.tsdb;
