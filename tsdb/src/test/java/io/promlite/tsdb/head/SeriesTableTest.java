package io.promlite.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.store.LabelsCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeriesTableTest {
    @Test
    void behavesLikeAHashMapUnderRandomPutsAndRemoves() {
        SeriesTable map = new SeriesTable();
        Map<Long, MemSeries> reference = new HashMap<>();
        Random rnd = new Random(1);
        for (int op = 0; op < 200_000; op++) {
            // A small id space makes removals hit long probe runs and re-insertions.
            long id = 1 + rnd.nextInt(5_000);
            if (rnd.nextInt(3) == 0) {
                map.remove(id, reference.get(id));
                reference.remove(id);
            } else if (!reference.containsKey(id)) {
                MemSeries s = new MemSeries(id, LabelsCodec.encode(Labels.of("id", Long.toString(id))), false);
                map.put(id, s);
                reference.put(id, s);
            }
            long probe = 1 + rnd.nextInt(5_000);
            MemSeries expected = reference.get(probe);
            if (expected == null) {
                assertNull(map.get(probe), "id " + probe);
            } else {
                assertSame(expected, map.get(probe), "id " + probe);
            }
        }
        List<MemSeries> all = new ArrayList<>();
        map.collect(all);
        assertEquals(reference.size(), all.size());
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
