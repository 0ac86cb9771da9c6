package io.promlite.tsdb;

import io.promlite.tsdb.chunkenc.ChunkIterator;
import io.promlite.tsdb.store.ChunkCodec.StoredChunk;
import java.util.List;

/**
 * Iterates a series' chunks (sorted by start time) and yields only samples in
 * {@code [mint, maxt]}. A sample not newer than the previous one is skipped, so a chunk seen
 * both in memory and on disk while a checkpoint or deletion runs is never read twice.
 */
final class ChunkSeriesIterator implements SampleIterator {
    /**
     * A decoder left by an exhausted iterator of this thread. A decoder holds a few KiB of tables,
     * and a query walks thousands of series one after another: each borrows the one decoder and
     * gives it back when done, instead of allocating its own. An iterator that finds the slot
     * empty (another is still in use, or was abandoned) makes its own.
     */
    private static final ThreadLocal<ChunkIterator[]> SPARE = ThreadLocal.withInitial(() -> new ChunkIterator[1]);

    private final List<StoredChunk> chunks;
    private final long mint;
    private final long maxt;
    private ChunkIterator it;
    private int chunk = -1;
    private boolean inChunk;
    private boolean done;
    private boolean positioned;
    private long t = Long.MIN_VALUE;
    private long bits;
    private long st;

    ChunkSeriesIterator(List<StoredChunk> chunks, long mint, long maxt) {
        this.chunks = chunks;
        this.mint = mint;
        this.maxt = maxt;
    }

    @Override
    public boolean next() {
        if (done) {
            return false;
        }
        while (true) {
            if (!inChunk) {
                if (++chunk >= chunks.size()) {
                    return finish();
                }
                StoredChunk c = chunks.get(chunk);
                if (c.maxTime() < mint || (positioned && c.maxTime() <= t)) {
                    continue;
                }
                if (c.minTime() > maxt) {
                    return finish();
                }
                if (it == null) {
                    it = borrowDecoder();
                }
                it.reset(c.data(), c.offset(), c.length());
                inChunk = true;
            }
            if (!it.next()) {
                inChunk = false;
                continue;
            }
            long ts = it.timestamp();
            if (ts < mint || (positioned && ts <= t)) {
                continue;
            }
            if (ts > maxt) {
                return finish();
            }
            t = ts;
            bits = it.valueBits();
            st = it.startTimestamp();
            positioned = true;
            return true;
        }
    }

    private boolean finish() {
        done = true;
        if (it != null) {
            // Exhausted iterators never decode again, so the decoder is free for the next series.
            SPARE.get()[0] = it;
            it = null;
        }
        return false;
    }

    /** Whether the chunks hold a sample in {@code [mint, maxt]}; decodes up to the first one. */
    static boolean anyInRange(List<StoredChunk> chunks, long mint, long maxt) {
        ChunkSeriesIterator probe = new ChunkSeriesIterator(chunks, mint, maxt);
        boolean any = probe.next();
        probe.finish();
        return any;
    }

    private static ChunkIterator borrowDecoder() {
        ChunkIterator[] slot = SPARE.get();
        ChunkIterator d = slot[0];
        if (d == null) {
            return new ChunkIterator();
        }
        slot[0] = null;
        return d;
    }

    @Override
    public boolean seek(long target) {
        if (positioned && t >= target) {
            return !done;
        }
        if (done) {
            return false;
        }
        // Skip whole chunks ending before the target without decoding them.
        if (inChunk && chunks.get(chunk).maxTime() < target) {
            inChunk = false;
        }
        while (!inChunk && chunk + 1 < chunks.size() && chunks.get(chunk + 1).maxTime() < target) {
            chunk++;
        }
        while (next()) {
            if (t >= target) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long timestamp() {
        return t;
    }

    @Override
    public double value() {
        return Double.longBitsToDouble(bits);
    }

    @Override
    public long startTimestamp() {
        return st;
    }
}
