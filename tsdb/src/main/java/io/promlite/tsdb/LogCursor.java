package io.promlite.tsdb;

import io.promlite.tsdb.head.MemSeries;
import io.promlite.tsdb.model.Labels;

/**
 * A named reader of the commit log (a remote-write queue) with a persisted position: records
 * the reader has not {@linkplain #commit committed} past are kept across restarts (up to the
 * store's log cap and retention), so a reader that falls behind, or a restart, loses nothing.
 * Reading is single-threaded per cursor; {@link #commit} may be called from any thread.
 */
public final class LogCursor {
    private final Tsdb db;
    private final String name;
    private volatile long readPosition;

    LogCursor(Tsdb db, String name, long position) {
        this.db = db;
        this.name = name;
        this.readPosition = position;
    }

    /** One logged sample. */
    @FunctionalInterface
    public interface SampleSink {
        void accept(long seriesId, long t, long valueBits);
    }

    public String name() {
        return name;
    }

    /** The sequence number of the next record {@link #read} returns. */
    public long readPosition() {
        return readPosition;
    }

    /** The sequence number after the newest committed record. */
    public long end() {
        return db.logEnd();
    }

    /**
     * Feeds {@code sink} the samples of whole records from the read position on, stopping after
     * the record that reaches {@code maxSamples}, and advances the read position past them.
     * Returns how many samples were read; 0 when the reader is at the end.
     */
    public int read(int maxSamples, SampleSink sink) {
        int[] n = {0};
        readPosition = db.readLog(readPosition, maxSamples, (id, t, bits) -> {
            n[0]++;
            sink.accept(id, t, bits);
        });
        return n[0];
    }

    /** Makes {@link #read} continue from {@code seq}, e.g. to read again records whose handling failed. */
    public void seek(long seq) {
        readPosition = seq;
    }

    /** Waits up to {@code timeoutMs} for records past the read position; true when there are some. */
    public boolean awaitRecords(long timeoutMs) throws InterruptedException {
        return db.awaitLog(readPosition, timeoutMs);
    }

    /** Persists that every record before {@code seq} is handled: they may be deleted. */
    public void commit(long seq) {
        db.commitLogCursor(name, seq);
    }

    /**
     * Sets {@code out[i]} to a reference to the labels of series {@code ids[i]} ({@code i < n}),
     * or null when the store no longer knows it: for a series in memory, memory's own (shorter)
     * encoding, so nothing is allocated or copied per sample. References are immutable, shared
     * and valid for good; one series' references are the same array while it stays in memory.
     * {@link #writeStoredLabels} expands one, into a buffer the reader reuses.
     */
    public void labelRefs(long[] ids, int n, byte[][] out) {
        db.read(() -> {
            for (int i = 0; i < n; i++) {
                out[i] = db.headEncodedLabelsOf(ids[i]);
            }
            return null;
        });
    }

    /** A reference, as {@link #labelRefs} gives, to labels in {@link io.promlite.tsdb.store.LabelsCodec}'s encoding. */
    public static byte[] labelRef(byte[] storedLabels) {
        return MemSeries.headEncoding(storedLabels);
    }

    /** The length of the {@link io.promlite.tsdb.store.LabelsCodec} encoding of a reference's labels. */
    public static int storedLabelsLength(byte[] labelRef) {
        return MemSeries.storedLabelsLength(labelRef);
    }

    /**
     * Writes the {@link io.promlite.tsdb.store.LabelsCodec} encoding of a reference's labels into
     * {@code out} from {@code at}, which has {@link #storedLabelsLength} bytes of room; returns
     * where it ends. Thread-safe.
     */
    public static int writeStoredLabels(byte[] labelRef, byte[] out, int at) {
        return MemSeries.writeStoredLabels(labelRef, out, at);
    }

    /** The labels of a series the log refers to; null when the store no longer knows it. */
    public Labels labels(long seriesId) {
        return db.read(() -> db.labelsOf(seriesId));
    }
}
