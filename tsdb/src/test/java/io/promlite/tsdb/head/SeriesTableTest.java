package io.promlite.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.store.LabelsCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SeriesTableTest {
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void behavesLikeAHashMapUnderRandomPutsAndRemoves(boolean byId) {
        SeriesTable map = byId ? SeriesTable.byId() : SeriesTable.byLabelHash();
        Map<Long, MemSeries> reference = new HashMap<>();
        Random rnd = new Random(1);
        for (int op = 0; op < 200_000; op++) {
            // A small id space makes removals hit long probe runs and re-insertions.
            long id = 1 + rnd.nextInt(5_000);
            if (rnd.nextInt(3) == 0) {
                map.remove(key(id, byId), reference.get(id));
                reference.remove(id);
            } else if (!reference.containsKey(id)) {
                MemSeries s = new MemSeries(id, LabelsCodec.encode(labels(id)), false);
                map.put(key(id, byId), s);
                reference.put(id, s);
            }
            long probe = 1 + rnd.nextInt(5_000);
            MemSeries expected = reference.get(probe);
            MemSeries found = byId ? map.get(probe) : map.get(key(probe, false), labels(probe));
            if (expected == null) {
                assertNull(found, "id " + probe);
            } else {
                assertSame(expected, found, "id " + probe);
            }
        }
        List<MemSeries> all = new ArrayList<>();
        map.collect(all);
        assertEquals(reference.size(), all.size());
    }

    private static Labels labels(long id) {
        return Labels.of("id", Long.toString(id));
    }

    /**
     * The key of series {@code id}: the id, or for the label-hash table a deliberately poor hash of
     * its labels (a few hundred values), so that probe runs hold many series under one key.
     */
    private static long key(long id, boolean byId) {
        return byId ? id : LabelsCodec.hash(labels(id)) % 300;
    }

    @Test
    void consecutiveIdsShareCacheLinesInTheIdTable() {
        SeriesTable byId = SeriesTable.byId();
        SeriesTable mixed = SeriesTable.byLabelHash();
        List<MemSeries> series = new ArrayList<>();
        for (long id = 1; id <= 100_000; id++) {
            MemSeries s = new MemSeries(id, LabelsCodec.encode(Labels.of("id", Long.toString(id))), false);
            byId.put(id, s);
            mixed.put(id, s);
            series.add(s);
        }
        // One target's 1000 series, created together: how many 64-byte lines of slots they touch.
        assertTrue(linesTouched(byId, series.subList(50_000, 51_000)) <= 100);
        assertTrue(linesTouched(mixed, series.subList(50_000, 51_000)) > 900);
    }

    /** Distinct (stripe, 16-slot line) pairs holding the given series: a reference slot is 4 bytes or fewer. */
    private static long linesTouched(SeriesTable table, List<MemSeries> series) {
        Set<Long> lines = new HashSet<>();
        for (MemSeries s : series) {
            int slot = table.slotOf(s.id(), s);
            assertSame(s, table.atSlot(s.id(), slot));
            lines.add((s.id() & 15) << 32 | slot / 16);
        }
        return lines.size();
    }

    @Test
    void headFindsSeriesWhoseLabelHashesCollide() {
        Head head = new Head();
        // "Aa" and "BB" share String.hashCode, so the two label sets share a hash.
        Labels a = Labels.of("a", "Aa");
        Labels b = Labels.of("a", "BB");
        MemSeries sa = head.add(1, LabelsCodec.encode(a), false);
        MemSeries sb = head.add(2, LabelsCodec.encode(b), false);
        assertSame(sa, head.get(a));
        assertSame(sb, head.get(b));
        head.evict(sa);
        assertNull(head.get(a));
        assertSame(sb, head.get(b));
        assertNull(head.get(1));
        assertSame(sb, head.get(2));
        assertEquals(b, sb.labels());
        assertEquals(1, head.size());
    }
}
