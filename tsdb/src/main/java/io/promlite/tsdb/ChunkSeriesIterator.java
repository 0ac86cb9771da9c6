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
    private final List<StoredChunk> chunks;
    private final long mint;
    private final long maxt;
    private final ChunkIterator it = new ChunkIterator();
    private int chunk = -1;
    private boolean inChunk;
    private boolean done;
    private boolean positioned;
    private long t = Long.MIN_VALUE;
    private long bits;

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
            positioned = true;
            return true;
        }
    }

    private boolean finish() {
        done = true;
        return false;
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
}
