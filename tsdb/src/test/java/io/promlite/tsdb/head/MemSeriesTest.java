package io.promlite.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.chunkenc.ChunkIterator;
import io.promlite.tsdb.chunkenc.XorChunk;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.store.ChunkCodec.StoredChunk;
import io.promlite.tsdb.store.LabelsCodec;
import io.promlite.tsdb.store.Partitions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a reader may answer a series from memory alone, skipping the store; which partition chunks go to. */
class MemSeriesTest {
    private static final byte[] LABELS = LabelsCodec.encode(Labels.of("__name__", "up"));
    private static final long START = 1_000_000;

    private static void append(MemSeries s, int from, int to) {
        for (int i = from; i < to; i++) {
            s.appendCommitted(START + i * 1000L, Double.doubleToRawLongBits(i), 0);
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

    /** The partitions and first timestamps of the chunks {@link MemSeries#unpersisted} feeds. */
    private static List<long[]> unpersisted(MemSeries s, MemSeries.OpenChunks open) {
        List<long[]> out = new ArrayList<>();
        s.unpersisted(open, (partition, chunk, st, compact) -> out.add(new long[] {partition, chunk.minTime()}));
        return out;
    }

    @Test
    void aChunkIsCutWhereAPartitionStartsAndEachGoesToItsOwn() {
        int day = 20_000;
        long lastOfDay = Partitions.start(day + 1) - 1;
        MemSeries s = new MemSeries(1, LABELS, false);
        s.appendCommitted(lastOfDay - 1000, 1, 0);
        s.appendCommitted(lastOfDay, 2, 0);
        assertTrue(s.appendCommitted(lastOfDay + 1, 3, 0), "the new partition cuts the chunk");
        List<long[]> chunks = unpersisted(s, MemSeries.OpenChunks.FINAL);
        assertEquals(2, chunks.size());
        assertEquals(day, chunks.get(0)[0]);
        assertEquals(lastOfDay - 1000, chunks.get(0)[1]);
        assertEquals(day + 1, chunks.get(1)[0]);
        assertEquals(lastOfDay + 1, chunks.get(1)[1]);
        assertEquals(lastOfDay + 1, s.oldestChunkTimeFrom(day + 1));

        s.markPersisted(MemSeries.OpenChunks.FINAL);
        s.dropBefore(day + 2);
        assertEquals(Long.MAX_VALUE, s.oldestChunkTimeFrom(day));
        assertTrue(unpersisted(s, MemSeries.OpenChunks.FINAL).isEmpty());
    }

    @Test
    void aRestoredChunkKeepsItsPartitionUntilTheNextOneStarts() {
        int day = 20_000;
        long start = Partitions.start(day) + 5000;
        XorChunk stored = new XorChunk();
        stored.append(start, 1);
        stored.append(start + 1000, 2);
        MemSeries s = new MemSeries(1, LABELS, true);
        s.restore(day, stored, null, true);
        assertFalse(s.appendCommitted(start + 2000, 3, 0), "same partition: appended to the restored chunk");
        List<long[]> open = unpersisted(s, MemSeries.OpenChunks.DIRTY_RAW);
        assertEquals(1, open.size());
        assertEquals(day, open.get(0)[0]);
        assertEquals(start, open.get(0)[1]);
        assertTrue(s.appendCommitted(Partitions.start(day + 1), 4, 0));
        assertEquals(day + 1, unpersisted(s, MemSeries.OpenChunks.FINAL).get(1)[0]);
    }

    /** Every sample in memory as (timestamp, value) pairs, oldest first. */
    private static List<long[]> samples(MemSeries s) {
        List<long[]> out = new ArrayList<>();
        for (StoredChunk c : s.snapshot(Long.MIN_VALUE, Long.MAX_VALUE).chunks()) {
            ChunkIterator it = new ChunkIterator().reset(c.data(), c.offset(), c.length());
            while (it.next()) {
                out.add(new long[] {it.timestamp(), (long) it.value()});
            }
        }
        return out;
    }

    @Test
    void deletingFromTheOpenChunkKeepsTheRestAndTheLastSample() {
        MemSeries s = new MemSeries(1, LABELS, false);
        append(s, 0, 10);
        s.markPersisted(MemSeries.OpenChunks.DIRTY_RAW);
        s.deleteRange(START + 3000, START + 5000);
        assertEquals(List.of(0L, 1L, 2L, 6L, 7L, 8L, 9L), samples(s).stream().map(x -> x[1]).toList());
        // Appenders still reject what is older than the last sample, deleted or not.
        assertEquals(START + 9000, s.lastT());
        assertEquals(Double.doubleToRawLongBits(9), s.lastBits());
        assertTrue(s.hasUnpersistedChunks(), "what the open chunk kept awaits its write");
        assertEquals(List.of(START), unpersisted(s, MemSeries.OpenChunks.NONE).stream().map(x -> x[1]).toList());
        append(s, 10, 12);
        assertEquals(List.of(0L, 1L, 2L, 6L, 7L, 8L, 9L, 10L, 11L), samples(s).stream().map(x -> x[1]).toList());
        assertEquals(START + 11_000, s.lastT());
        // Deleting everything leaves no chunk, and the last sample.
        s.deleteRange(Long.MIN_VALUE, Long.MAX_VALUE);
        assertTrue(samples(s).isEmpty());
        assertEquals(START + 11_000, s.lastT());
        append(s, 12, 13);
        assertEquals(List.of(12L), samples(s).stream().map(x -> x[1]).toList());
    }
}
