package io.promlite.tsdb;

import io.promlite.tsdb.model.Labels;

/** A series the store has seen since it was opened: its identity and last committed sample. */
final class MemSeries {
    static final long NO_SAMPLE = Long.MIN_VALUE;

    final long id;
    final Labels labels;

    // Committed state, read without the commit lock by appenders for early rejection.
    volatile long lastT = NO_SAMPLE;
    volatile long lastBits;

    // Guarded by the commit lock.
    boolean persisted;
    int indexedPartition = Integer.MIN_VALUE;

    // Scratch state while one commit validates its batch; guarded by the commit lock.
    long pendingT;
    long pendingBits;
    int pendingPartition;

    MemSeries(long id, Labels labels, boolean persisted) {
        this.id = id;
        this.labels = labels;
        this.persisted = persisted;
    }
}
