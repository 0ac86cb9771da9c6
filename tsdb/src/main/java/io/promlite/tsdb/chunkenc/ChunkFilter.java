package io.promlite.tsdb.chunkenc;

/** Rewrites chunks without a time range, for series deletion. */
public final class ChunkFilter {
    private ChunkFilter() {
    }

    /** The chunk's samples outside {@code [mint, maxt]} as a new XOR chunk, or null when none remain. */
    public static XorChunk without(byte[] data, int off, int len, long mint, long maxt) {
        ChunkIterator it = new ChunkIterator().reset(data, off, len);
        XorChunk out = new XorChunk(len);
        while (it.next()) {
            long t = it.timestamp();
            if (t < mint || t > maxt) {
                out.append(t, it.valueBits());
            }
        }
        return out.isEmpty() ? null : out;
    }

    /**
     * The start timestamps of the samples {@link #without} keeps, or null when the chunk has none
     * or none remain.
     */
    public static StartTimeStream startTimesWithout(byte[] data, int off, int len, long mint, long maxt) {
        if (!StartTimeChunks.isWrapped(data[off])) {
            return null;
        }
        ChunkIterator it = new ChunkIterator().reset(data, off, len);
        StartTimeStream out = new StartTimeStream();
        while (it.next()) {
            long t = it.timestamp();
            if (t < mint || t > maxt) {
                out.append(t, it.startTimestamp());
            }
        }
        return out.numSamples() == 0 ? null : out;
    }
}
