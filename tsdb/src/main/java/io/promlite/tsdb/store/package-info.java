/**
 * The on-disk layout in RocksDB: column families and their tuning ({@link
 * io.promlite.tsdb.store.RocksStore}), key and value encodings for series, chunks and the commit
 * log, day partitions and metadata.
 */
package io.promlite.tsdb.store;
