package io.promlite.tsdb.head;

import io.promlite.tsdb.chunkenc.ChunkFilter;
import io.promlite.tsdb.chunkenc.StartTimeChunks;
import io.promlite.tsdb.chunkenc.StartTimeStream;
import io.promlite.tsdb.chunkenc.XorChunk;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.store.ChunkCodec.StoredChunk;
import io.promlite.tsdb.store.LabelsCodec;
import io.promlite.tsdb.store.Partitions;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A series in the head: its identity, last committed sample and the chunks not yet persisted
 * (the open chunk being appended to, plus any cut ones awaiting their write).
 *
 * <p>Chunk state is written only by the thread holding the store's commit lock, and guarded by
 * this object's monitor so readers can copy it consistently. The last sample is published
 * so appenders can reject out-of-order samples without locking.
 *
 * <p>One of these lives per active series, so it holds only what the head needs: labels in the
 * head's compact encoding ({@link LabelSymbols}), and no per-commit scratch state beyond one slot
 * number.
 */
public final class MemSeries {
    public static final long NO_SAMPLE = Long.MIN_VALUE;
    /** The open chunk is stored as it is in memory, compacted (or there is no open chunk). */
    private static final byte OPEN_CLEAN = 0;
    /** The open chunk holds samples not in the stored chunks (the log holds them). */
    private static final byte OPEN_DIRTY = 1;
    /** The open chunk is stored uncompacted, as a checkpoint writes it: still to compact once it is final. */
    private static final byte OPEN_STORED_RAW = 2;

    private final long id;
    /** The label set in {@link LabelSymbols}' encoding. */
    private final byte[] labels;

    /*
     * The last sample, read by appenders without locking. Written with release stores and read
     * with acquire loads rather than as volatiles: a volatile store costs a full fence, twice per
     * committed sample, where publishing in order is all that is needed (the value first, so one
     * who sees a time also sees its value or a newer one).
     */
    private long lastT = NO_SAMPLE;
    private long lastBits;
    private volatile boolean evicted;

    // Guarded by the commit lock.
    private boolean persisted;
    private int indexedPartition = Integer.MIN_VALUE;
    /** Where a commit keeps this series' scratch state while it validates a batch; guarded by the commit lock. */
    public int commitSlot = -1;

    // Guarded by this.
    /*
     * No field holds the open chunk's partition: it is that of the chunk's first sample (chunks
     * never span partitions). Without it the fields take 60 of this object's 64 bytes, so one
     * more reference still fits.
     */
    private XorChunk open;
    /** {@link #OPEN_CLEAN}, {@link #OPEN_DIRTY} or {@link #OPEN_STORED_RAW}; a byte, so the object does not grow. */
    private byte openState;
    private List<XorChunk> frozen;
    /** Start timestamps of the in-memory chunks; null while none of their samples has one. */
    private ChunkStartTimes startTimes;
    /**
     * Whether memory holds every chunk the series ever had: true for a series created here (a new
     * id has nothing stored) until a chunk leaves memory. Readers then never need the store.
     */
    private boolean wholeHistory;

    private static final VarHandle LAST_T;
    private static final VarHandle LAST_BITS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LAST_T = lookup.findVarHandle(MemSeries.class, "lastT", long.class);
            LAST_BITS = lookup.findVarHandle(MemSeries.class, "lastBits", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A series with the label set {@code storedLabels} in {@link LabelsCodec}'s encoding. */
    MemSeries(long id, byte[] storedLabels, boolean persisted) {
        this.id = id;
        this.labels = LabelSymbols.SHARED.encode(storedLabels);
        this.persisted = persisted;
        this.wholeHistory = !persisted;
    }

    public long id() {
        return id;
    }

    /**
     * The labels, decoded: allocates, so for readers rather than the append path. Label sets
     * decoded here share one instance of each string the symbol table numbers.
     */
    public Labels labels() {
        return LabelSymbols.SHARED.decode(labels);
    }

    /**
     * The labels in {@link LabelsCodec}'s encoding, as stored in the series family: a new array
     * each time (memory keeps a shorter encoding), so for writers and rare readers.
     */
    public byte[] encodedLabels() {
        return LabelSymbols.SHARED.toStored(labels);
    }

    /**
     * The labels in the head's encoding ({@link LabelSymbols}): the series' own array, shared, not
     * to be modified. It stays valid after the series leaves the head, as numbered strings keep
     * their numbers; {@link #writeStoredLabels} expands it.
     */
    public byte[] headEncodedLabels() {
        return labels;
    }

    /** The length of the {@link LabelsCodec} encoding of a head encoding's labels. */
    public static int storedLabelsLength(byte[] headEncoded) {
        return LabelSymbols.storedLength(headEncoded);
    }

    /**
     * Writes the {@link LabelsCodec} encoding of a head encoding's labels into {@code out} from
     * {@code at} ({@link #storedLabelsLength} bytes of room); returns where it ends.
     */
    public static int writeStoredLabels(byte[] headEncoded, byte[] out, int at) {
        return LabelSymbols.SHARED.writeStored(headEncoded, out, at);
    }

    /** A head encoding of labels in {@link LabelsCodec}'s encoding, numbering no strings. */
    public static byte[] headEncoding(byte[] storedLabels) {
        return LabelSymbols.spelledOut(storedLabels);
    }

    public boolean hasLabels(Labels other) {
        return LabelSymbols.SHARED.matches(labels, other);
    }

    public long lastT() {
        return (long) LAST_T.getAcquire(this);
    }

    public long lastBits() {
        return (long) LAST_BITS.getAcquire(this);
    }

    private void publishLast(long t, long bits) {
        LAST_BITS.setRelease(this, bits);
        LAST_T.setRelease(this, t);
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

    /** The open chunk's partition; there must be an open chunk. */
    private int openPartition() {
        return Partitions.of(open.minTime());
    }

    /**
     * Restores state from disk: the last sample, and the last chunk when it can take more samples,
     * with its start timestamps {@code st} (null when it has none).
     */
    public synchronized void restore(int partition, XorChunk lastChunk, StartTimeStream st, boolean reopenChunk) {
        publishLast(lastChunk.maxTime(), lastChunk.lastValueBits());
        indexedPartition = partition;
        if (reopenChunk) {
            open = lastChunk;
            openState = OPEN_CLEAN;
            if (st != null) {
                startTimes = new ChunkStartTimes();
                startTimes.put(open, st);
            }
        }
    }

    /** Agent mode: remembers a committed sample as the series' last one, without chunks. */
    public void recordLast(long t, long bits) {
        publishLast(t, bits);
    }

    /**
     * Reads the open chunk's tail without locking, only to bring it into the CPU cache: a commit
     * does this for its whole batch first, so the cache misses of its series overlap instead of
     * stalling {@link #appendCommitted} one by one, and before it takes the commit lock. A racy read
     * of the chunk is harmless here: nothing is decided by it, and the value is meaningless.
     */
    public int touchOpenChunk() {
        XorChunk c = open;
        return c == null ? 0 : c.touch();
    }

    /**
     * Appends a committed sample to the open chunk, first cutting it when it holds
     * {@link XorChunk#TARGET_SAMPLES} or the sample starts a new partition (chunks never span
     * partitions). {@code st}: the sample's start timestamp (0: none). Returns true when a cut
     * chunk now awaits persisting.
     */
    public synchronized boolean appendCommitted(long t, long bits, long st) {
        int p = Partitions.of(t);
        boolean cut = false;
        int sizeHint = 32;
        if (open != null && (open.numSamples() >= XorChunk.TARGET_SAMPLES || p != openPartition())) {
            // Half the last chunk's size: a buffer sized for a full chunk up front would stand half
            // empty on average; growing (by half) twice costs two copies per chunk lifetime.
            sizeHint = open.length() / 2 + 32;
            if (openState != OPEN_CLEAN) {
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
            pruneStartTimes();
        }
        open.append(t, bits);
        if (st != 0 || startTimes != null) {
            recordStartTime(t, st);
        }
        openState = OPEN_DIRTY;
        publishLast(t, bits);
        return cut;
    }

    private void recordStartTime(long t, long st) {
        if (startTimes == null) {
            startTimes = new ChunkStartTimes();
        }
        startTimes.append(open, t, st);
    }

    /** Drops the start timestamps of chunks that left memory (the stored copies keep them). */
    private void pruneStartTimes() {
        if (startTimes != null && !startTimes.retainOnly(open, frozen)) {
            startTimes = null;
        }
    }

    /** A chunk as readers get it: wrapped with its start timestamps when it has any. */
    private StoredChunk readable(XorChunk c, boolean copy) {
        StartTimeStream st = startTimes == null ? null : startTimes.of(c);
        if (st != null) {
            byte[] wrapped = StartTimeChunks.wrap(c.bytes(), 0, c.length(), st);
            return new StoredChunk(c.minTime(), c.maxTime(), wrapped, 0, wrapped.length);
        }
        return copy ? StoredChunk.of(c) : new StoredChunk(c.minTime(), c.maxTime(), c.bytes(), 0, c.length());
    }

    /**
     * The in-memory chunks overlapping {@code [mint, maxt]}, oldest first, for a reader (cut ones
     * in place, the open one copied), and whether memory alone answers the range: it does when no
     * chunk ever left memory, and when the oldest in-memory chunk starts at or before {@code mint},
     * as chunks never overlap and every stored chunk then ends before it.
     */
    public synchronized HeadChunks snapshot(long mint, long maxt) {
        List<StoredChunk> out = new ArrayList<>(frozen == null ? 1 : frozen.size() + 1);
        long oldest = Long.MAX_VALUE;
        if (frozen != null) {
            for (XorChunk c : frozen) {
                oldest = Math.min(oldest, c.minTime());
                if (c.minTime() <= maxt && c.maxTime() >= mint) {
                    // A cut chunk never changes again (deleting replaces it): read in place.
                    out.add(readable(c, false));
                }
            }
        }
        if (open != null) {
            oldest = Math.min(oldest, open.minTime());
            if (open.minTime() <= maxt && open.maxTime() >= mint) {
                out.add(readable(open, true));
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

    /**
     * Feeds the chunks that must be written: cut ones (to compact), then, as {@code open} asks, the
     * open one. Cut chunks are final, so they are stored compacted; an open chunk still grows, so a
     * checkpoint stores it raw ({@link OpenChunks#DIRTY_RAW}) and leaves compacting to its cut,
     * unless it is final (idle series, close: {@link OpenChunks#FINAL}).
     */
    public synchronized void unpersisted(OpenChunks openChunks, ChunkSink sink) {
        if (frozen != null) {
            for (XorChunk c : frozen) {
                sink.accept(Partitions.of(c.minTime()), c, startTimesOf(c), true);
            }
        }
        switch (openChunks) {
            case NONE -> { }
            case DIRTY_RAW -> {
                if (openState == OPEN_DIRTY) {
                    sink.accept(openPartition(), open, startTimesOf(open), false);
                }
            }
            case FINAL -> {
                if (openState != OPEN_CLEAN) {
                    sink.accept(openPartition(), open, startTimesOf(open), true);
                }
            }
        }
    }

    private StartTimeStream startTimesOf(XorChunk c) {
        return startTimes == null ? null : startTimes.of(c);
    }

    /** After the chunks fed by {@link #unpersisted} with the same argument were written. */
    public synchronized void markPersisted(OpenChunks openChunks) {
        wholeHistory &= frozen == null;
        frozen = null;
        pruneStartTimes();
        switch (openChunks) {
            case NONE -> { }
            case DIRTY_RAW -> {
                if (openState == OPEN_DIRTY) {
                    openState = OPEN_STORED_RAW;
                }
            }
            case FINAL -> openState = OPEN_CLEAN;
        }
    }

    /** Whether memory holds samples the stored chunks lack. */
    public synchronized boolean hasUnpersistedChunks() {
        return frozen != null || openState == OPEN_DIRTY;
    }

    /** Which open chunks {@link #unpersisted} feeds. */
    public enum OpenChunks {
        /** None: only the cut chunks. */
        NONE,
        /** The open chunk when it has unstored samples, to store uncompacted. */
        DIRTY_RAW,
        /** The open chunk when its stored copy is missing samples or uncompacted, to store compacted. */
        FINAL
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
        if (open != null && openPartition() < partition) {
            open = null;
            openState = OPEN_CLEAN;
        }
        pruneStartTimes();
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
        if (open != null && openPartition() >= partition) {
            min = Math.min(min, open.minTime());
        }
        return min;
    }

    /** Removes the in-memory samples in {@code [mint, maxt]}. */
    public synchronized void deleteRange(long mint, long maxt) {
        ChunkStartTimes keptStartTimes = new ChunkStartTimes();
        if (frozen != null) {
            List<XorChunk> kept = new ArrayList<>(frozen.size());
            for (XorChunk c : frozen) {
                XorChunk f = without(c, mint, maxt, keptStartTimes);
                if (f != null) {
                    kept.add(f);
                }
            }
            frozen = kept.isEmpty() ? null : kept;
        }
        if (open != null && open.minTime() <= maxt && open.maxTime() >= mint) {
            open = without(open, mint, maxt, keptStartTimes);
            openState = open != null ? OPEN_DIRTY : OPEN_CLEAN;
        } else if (open != null && startTimesOf(open) != null) {
            keptStartTimes.put(open, startTimesOf(open));
        }
        startTimes = keptStartTimes;
        pruneStartTimes();
    }

    /** {@code c} without the samples in {@code [mint, maxt]}, its start timestamps moved to {@code kept}. */
    private XorChunk without(XorChunk c, long mint, long maxt, ChunkStartTimes kept) {
        StoredChunk r = readable(c, false);
        XorChunk f = ChunkFilter.without(r.data(), r.offset(), r.length(), mint, maxt);
        StartTimeStream st = ChunkFilter.startTimesWithout(r.data(), r.offset(), r.length(), mint, maxt);
        if (f != null && st != null) {
            kept.put(f, st);
        }
        return f;
    }

    @FunctionalInterface
    public interface ChunkSink {
        /**
         * {@code st}: the chunk's start timestamps, or null when it has none; {@code compact}: store
         * the chunk in its compacted encoding, else as it is in memory.
         */
        void accept(int partition, XorChunk chunk, StartTimeStream st, boolean compact);
    }
}
