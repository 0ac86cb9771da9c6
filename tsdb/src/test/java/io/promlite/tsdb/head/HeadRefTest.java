package io.promlite.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.store.LabelsCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Series references name their series directly, and never a wrong one once it moved or left. */
class HeadRefTest {
    private static MemSeries add(Head head, long id) {
        return head.add(id, LabelsCodec.encode(Labels.of("id", Long.toString(id))), false);
    }

    @Test
    void referencesFindTheirSeriesOrNothingAcrossGrowthAndEviction() {
        Head head = new Head();
        List<MemSeries> series = new ArrayList<>();
        List<Long> refs = new ArrayList<>();
        Random rnd = new Random(7);
        for (long id = 1; id <= 20_000; id++) {
            MemSeries s = add(head, id);
            series.add(s);
            long ref = head.refOf(s);
            assertNotEquals(0, ref);
            assertEquals(id, Head.idOf(ref));
            assertSame(s, head.byRef(ref));
            refs.add(ref);
            if (rnd.nextInt(10) == 0) {
                // Evict an earlier series: its slot's probe run is rearranged.
                int victim = rnd.nextInt(series.size());
                if (!series.get(victim).isEvicted()) {
                    head.evict(series.get(victim));
                }
            }
        }
        int stale = 0;
        for (int i = 0; i < series.size(); i++) {
            MemSeries s = series.get(i);
            MemSeries found = head.byRef(refs.get(i));
            if (found == null) {
                stale++;
                if (!s.isEvicted()) {
                    // Moved by growth or removals: a fresh reference finds it again.
                    assertSame(s, head.byRef(head.refOf(s)));
                }
            } else {
                assertSame(s, found);
            }
        }
        // The tables grew many times, so many early references went stale.
        assertTrue(stale > 1000, "stale references: " + stale);
        assertNull(head.byRef(0));
        assertNull(head.byRef(Head.idOf(refs.get(0))), "a bare id is no reference");
    }

    @Test
    void aSeriesWithoutASlotIsReferencedByIdAndOneBeyondTheIdBitsNotAtAll() {
        Head head = new Head();
        MemSeries s = add(head, 42);
        head.evict(s);
        assertEquals(42, head.refOf(s), "no slot: the bare id, which the id lookup resolves");
        assertEquals(0, head.refOf(add(head, 1L << 40)));
    }
}
