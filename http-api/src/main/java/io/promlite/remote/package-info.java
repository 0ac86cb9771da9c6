/**
 * Remote write, the sending side: {@link io.promlite.remote.RemoteWriteManager} runs one queue per
 * {@code remote_write} entry. A queue reads the store's commit log through a named
 * {@link io.promlite.tsdb.LogCursor} (so an outage or a restart loses nothing the log holds),
 * attaches external labels, applies {@code write_relabel_configs}, and sends through parallel
 * shards with retries and backoff. The wire format lives in {@code io.promlite.remote.wire}.
 */
package io.promlite.remote;
