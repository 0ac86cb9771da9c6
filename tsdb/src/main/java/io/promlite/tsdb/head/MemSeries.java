package io.promlite.tsdb.head;

import io.promlite.tsdb.chunkenc.ChunkFilter;
import io.promlite.tsdb.chunkenc.XorChunk;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.store.ChunkCodec.StoredChunk;
import io.promlite.tsdb.store.LabelsCodec;
import io.promlite.tsdb.store.Partitions;
import java.util.ArrayList;
import java.util.List;

/**
 * A series in the head: its identity, last committed sample and the chunks not yet persisted
 * (the open chunk being appended to, plus any cut ones awaiting their write).
 *
 * <p>Chunk state is written only by the thread holding the store's commit lock, and guarded by
 * this object's monitor so readers can copy it consistently. The last sample is volatile so
 * appenders can reject out-of-order samples without locking.
 *
 * <p>One of these lives per active series, so it holds only what the head needs: labels in their
 * compact stored encoding, and no per-commit scratch state beyond one slot number.
 */
public final class MemSeries {
    public static final long NO_SAMPLE = Long.MIN_VALUE;

    private final long id;
    /** The label set in {@link LabelsCodec}'s encoding, as stored in the series family. */
    private final byte[] labels;

    private volatile long lastT = NO_SAMPLE;
    private volatile long lastBits;
    private volatile boolean evicted;

    // Guarded by the commit lock.
    private boolean persisted;
    private int indexedPartition = Integer.MIN_VALUE;
    /** Where a commit keeps this series' scratch state while it validates a batch; guarded by the commit lock. */
    public int commitSlot = -1;

    // Guarded by this.
    private XorChunk open;
    private int openPartition;
    private boolean openDirty;
    private List<XorChunk> frozen;
    /**
     * Whether memory holds every chunk the series ever had: true for a series created here (a new
     * id has nothing stored) until a chunk leaves memory. Readers then never need the store.
     */
    private boolean wholeHistory;

    MemSeries(long id, byte[] labels, boolean persisted) {
        this.id = id;
        this.labels = labels;
        this.persisted = persisted;
        this.wholeHistory = !persisted;
    }

    public long id() {
        return id;
    }

    /** The labels, decoded: allocates, so for readers rather than the append path. */
    public Labels labels() {
        return LabelsCodec.decode(labels);
    }

    /** The labels in {@link LabelsCodec}'s encoding; not to be modified. */
    public byte[] encodedLabels() {
        return labels;
    }

    public boolean hasLabels(Labels other) {
        return LabelsCodec.matches(labels, other);
    }

    public long lastT() {
        return lastT;
    }

    public long lastBits() {
        return lastBits;
    }

    /** Whether the series' labels are already stored. */
    public boolean isPersisted() {
        return persisted;
    }

    /** The newest partition whose postings list this series. */
    public int indexedPartition() {
        return indexedPartition;
    }

    public void markStored(int partition) {
        persisted = true;
        indexedPartition = partition;
    }

    /** The series' records were deleted (retention removed all its data): write them again. */
    public void markUnstored() {
        persisted = false;
    }

    public boolean isEvicted() {
        return evicted;
    }

    void markEvicted() {
        evicted = true;
    }

    /** Restores state from disk: the last sample, and the last chunk when it can take more samples. */
    public synchronized void restore(int partition, XorChunk lastChunk, boolean reopenChunk) {
        lastBits = lastChunk.lastValueBits();
        lastT = lastChunk.maxTime();
        indexedPartition = partition;
        if (reopenChunk) {
            open = lastChunk;
            openPartition = partition;
            openDirty = false;
        }
    }

    /** Agent mode: remembers a committed sample as the series' last one, without chunks. */
    public void recordLast(long t, long bits) {
        lastBits = bits;
        lastT = t;
    }

    /**
     * Appends a committed sample to the open chunk, first cutting it when it holds
     * {@link XorChunk#TARGET_SAMPLES} or the sample starts a new partition (chunks never span
     * partitions). Returns true when a cut chunk now awaits persisting.
     */
    public synchronized boolean appendCommitted(long t, long bits) {
        int p = Partitions.of(t);
        boolean cut = false;
        int sizeHint = 32;
        if (open != null && (open.numSamples() >= XorChunk.TARGET_SAMPLES || p != openPartition)) {
            // Half the last chunk's size: a buffer sized for a full chunk up front would stand half
            // empty on average; growing (by half) twice costs two copies per chunk lifetime.
            sizeHint = open.length() / 2 + 32;
            if (openDirty) {
                if (frozen == null) {
                    frozen = new ArrayList<>(2);
                }
                frozen.add(open);
                cut = true;
            } else {
                wholeHistory = false;
            }
            open = null;
        }
        if (open == null) {
            open = new XorChunk(sizeHint);
            openPartition = p;
        }
        open.append(t, bits);
        openDirty = true;
        lastBits = bits;
        lastT = t;
        return cut;
    }

    /**
     * Copies of the in-memory chunks overlapping {@code [mint, maxt]}, oldest first, for a reader,
     * and whether memory alone answers the range: chunks never overlap, so when the oldest
     * in-memory chunk starts at or before {@code mint}, every stored chunk ends before it; nor
     * when no chunk ever left memory.
     */
    public synchronized HeadChunks snapshot(long mint, long maxt) {
        List<StoredChunk> out = new ArrayList<>(frozen == null ? 1 : frozen.size() + 1);
        long oldest = Long.MAX_VALUE;
        if (frozen != null) {
            for (XorChunk c : frozen) {
                oldest = Math.min(oldest, c.minTime());
                if (c.minTime() <= maxt && c.maxTime() >= mint) {
                    out.add(StoredChunk.of(c));
                }
            }
        }
        if (open != null) {
            oldest = Math.min(oldest, open.minTime());
            if (open.minTime() <= maxt && open.maxTime() >= mint) {
                out.add(StoredChunk.of(open));
            }
        }
        return new HeadChunks(out, oldest, wholeHistory || oldest <= mint);
    }

    /**
     * The in-memory chunks a reader needs; where memory's chunks start (stored chunks from there
     * on are stale copies); and whether stored chunks can be skipped altogether.
     */
    public record HeadChunks(List<StoredChunk> chunks, long oldestStart, boolean coversRange) {
        public static final HeadChunks NONE = new HeadChunks(List.of(), Long.MAX_VALUE, false);
    }

    /** Feeds the chunks that must be written: cut ones, and the open one when asked and dirty. */
    public synchronized void unpersisted(boolean includeOpen, ChunkSink sink) {
        if (frozen != null) {
            for (XorChunk c : frozen) {
                sink.accept(Partitions.of(c.minTime()), c);
            }
        }
        if (includeOpen && openDirty) {
            sink.accept(openPartition, open);
        }
    }

    /** After the chunks fed by {@link #unpersisted} were written. */
    public synchronized void markPersisted(boolean includedOpen) {
        wholeHistory &= frozen == null;
        frozen = null;
        if (includedOpen) {
            openDirty = false;
        }
    }

    public synchronized boolean hasUnpersistedChunks() {
        return frozen != null || openDirty;
    }

    /** Drops in-memory chunks of partitions before {@code partition} (retention removed them). */
    public synchronized void dropBefore(int partition) {
        wholeHistory = false;
        if (frozen != null) {
            frozen.removeIf(c -> Partitions.of(c.minTime()) < partition);
            if (frozen.isEmpty()) {
                frozen = null;
            }
        }
        if (open != null && openPartition < partition) {
            open = null;
            openDirty = false;
        }
    }

    /** The oldest in-memory chunk start in partitions {@code >= partition}, or Long.MAX_VALUE. */
    public synchronized long oldestChunkTimeFrom(int partition) {
        long min = Long.MAX_VALUE;
        if (frozen != null) {
            for (XorChunk c : frozen) {
                if (Partitions.of(c.minTime()) >= partition) {
                    min = Math.min(min, c.minTime());
                }
            }
        }
        if (open != null && openPartition >= partition) {
            min = Math.min(min, open.minTime());
        }
        return min;
    }

    /** Removes the in-memory samples in {@code [mint, maxt]}. */
    public synchronized void deleteRange(long mint, long maxt) {
        if (frozen != null) {
            List<XorChunk> kept = new ArrayList<>(frozen.size());
            for (XorChunk c : frozen) {
                XorChunk f = ChunkFilter.without(c.bytes(), 0, c.length(), mint, maxt);
                if (f != null) {
                    kept.add(f);
                }
            }
            frozen = kept.isEmpty() ? null : kept;
        }
        if (open != null && open.minTime() <= maxt && open.maxTime() >= mint) {
            open = ChunkFilter.without(open.bytes(), 0, open.length(), mint, maxt);
            openDirty = open != null;
        }
    }

    @FunctionalInterface
    public interface ChunkSink {
        void accept(int partition, XorChunk chunk);
    }
}
