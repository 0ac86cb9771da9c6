package io.promlite.remote.wire;

import io.promlite.tsdb.model.Labels;

/** One series of a remote-write request with its samples, in the order they were sent. */
public record TimeSeries(Labels labels, long[] timestamps, double[] values) {
    public int sampleCount() {
        return timestamps.length;
    }
}
