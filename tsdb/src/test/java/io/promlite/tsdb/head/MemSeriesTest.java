package io.promlite.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.chunkenc.ChunkIterator;
import io.promlite.tsdb.chunkenc.XorChunk;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.store.ChunkCodec.StoredChunk;
import io.promlite.tsdb.store.LabelsCodec;
import org.junit.jupiter.api.Test;

/** When a reader may answer a series from memory alone, skipping the store. */
class MemSeriesTest {
    private static final byte[] LABELS = LabelsCodec.encode(Labels.of("__name__", "up"));
    private static final long START = 1_000_000;

    private static void append(MemSeries s, int from, int to) {
        for (int i = from; i < to; i++) {
            s.appendCommitted(START + i * 1000L, Double.doubleToRawLongBits(i));
        }
    }

    @Test
    void aSeriesCreatedHereAnswersRangesStartingBeforeItsFirstSampleFromMemory() {
        MemSeries s = new MemSeries(1, LABELS, false);
        append(s, 0, 10);
        MemSeries.HeadChunks h = s.snapshot(0, START + 20_000);
        assertTrue(h.coversRange());
        assertEquals(1, h.chunks().size());
        // Persisting the open chunk keeps it in memory: still whole.
        s.markPersisted(MemSeries.OpenChunks.DIRTY_RAW);
        assertTrue(s.snapshot(0, START + 20_000).coversRange());
    }

    @Test
    void aSnapshotKeepsItsSamplesWhileTheSeriesGrowsOn() {
        MemSeries s = new MemSeries(1, LABELS, false);
        int total = XorChunk.TARGET_SAMPLES + 5;
        append(s, 0, total);
        MemSeries.HeadChunks h = s.snapshot(0, Long.MAX_VALUE);
        append(s, total, 3 * XorChunk.TARGET_SAMPLES);
        int i = 0;
        for (StoredChunk c : h.chunks()) {
            ChunkIterator it = new ChunkIterator().reset(c.data(), c.offset(), c.length());
            while (it.next()) {
                assertEquals(START + i * 1000L, it.timestamp());
                assertEquals(i, it.value());
                i++;
            }
        }
        assertEquals(total, i);
    }

    @Test
    void aSeriesLoadedFromTheStoreNeedsItForOlderRanges() {
        MemSeries s = new MemSeries(1, LABELS, true);
        append(s, 0, 10);
        assertFalse(s.snapshot(0, START + 20_000).coversRange());
        assertTrue(s.snapshot(START, START + 20_000).coversRange());
    }

    @Test
    void onceAChunkLeavesMemoryTheStoreIsNeededAgain() {
        MemSeries cutAndWritten = new MemSeries(1, LABELS, false);
        append(cutAndWritten, 0, XorChunk.TARGET_SAMPLES + 1);
        cutAndWritten.markPersisted(MemSeries.OpenChunks.NONE);
        assertFalse(cutAndWritten.snapshot(0, Long.MAX_VALUE).coversRange());

        MemSeries writtenThenCut = new MemSeries(2, LABELS, false);
        append(writtenThenCut, 0, XorChunk.TARGET_SAMPLES);
        writtenThenCut.markPersisted(MemSeries.OpenChunks.DIRTY_RAW);
        append(writtenThenCut, XorChunk.TARGET_SAMPLES, XorChunk.TARGET_SAMPLES + 1);
        writtenThenCut.markPersisted(MemSeries.OpenChunks.NONE);
        assertFalse(writtenThenCut.snapshot(0, Long.MAX_VALUE).coversRange());
    }
}
