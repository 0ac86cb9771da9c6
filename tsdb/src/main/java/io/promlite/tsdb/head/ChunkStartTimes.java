package io.promlite.tsdb.head;

import io.promlite.tsdb.chunkenc.StartTimeStream;
import java.util.Arrays;
import java.util.List;

/**
 * The start-timestamp streams of a series' in-memory chunks, for the chunks that have any. A
 * {@link MemSeries} holds one of these only once a sample with a start timestamp arrives, so a
 * series without them pays one null reference. Chunks are matched by identity: a cut chunk by its
 * {@code XorChunk}, the open one by its series (which holds it); a series has at most a few in
 * memory, so two small parallel arrays beat a map. Guarded by the series' monitor.
 */
final class ChunkStartTimes {
    private Object[] chunks = new Object[2];
    private StartTimeStream[] streams = new StartTimeStream[2];
    private int n;

    /** The stream of {@code chunk}, or null when its samples carry no start timestamp. */
    StartTimeStream of(Object chunk) {
        for (int i = 0; i < n; i++) {
            if (chunks[i] == chunk) {
                return streams[i];
            }
        }
        return null;
    }

    /**
     * Records the start timestamp of the sample just appended to {@code chunk} at {@code t}, after
     * {@code samplesBefore} others; a
     * chunk's stream starts with its first start timestamp, the samples before it marked as having none.
     */
    void append(Object chunk, int samplesBefore, long t, long st) {
        StartTimeStream s = of(chunk);
        if (s == null) {
            if (st == 0) {
                return;
            }
            s = StartTimeStream.withEmptyPrefix(samplesBefore);
            put(chunk, s);
        }
        s.append(t, st);
    }

    void put(Object chunk, StartTimeStream s) {
        if (n == chunks.length) {
            chunks = Arrays.copyOf(chunks, n * 2);
            streams = Arrays.copyOf(streams, n * 2);
        }
        chunks[n] = chunk;
        streams[n] = s;
        n++;
    }

    /** Forgets the streams of chunks no longer in memory; returns whether any stream is left. */
    boolean retainOnly(Object open, List<?> frozen) {
        int kept = 0;
        for (int i = 0; i < n; i++) {
            Object c = chunks[i];
            if (c == open || (frozen != null && frozen.contains(c))) {
                chunks[kept] = c;
                streams[kept] = streams[i];
                kept++;
            }
        }
        Arrays.fill(chunks, kept, n, null);
        Arrays.fill(streams, kept, n, null);
        n = kept;
        return n > 0;
    }

    /** The stream of {@code from} now belongs to {@code to}: the open chunk was cut into a chunk of its own. */
    void move(Object from, Object to) {
        for (int i = 0; i < n; i++) {
            if (chunks[i] == from) {
                chunks[i] = to;
            }
        }
    }
}
