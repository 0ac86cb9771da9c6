package io.promlite.tsdb.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The head postings' 4-byte ids: their order across the int range, and what happens beyond it. */
class HeadPostingsIdsTest {
    private static final List<Matcher> JOB_A = List.of(Matcher.equal("job", "a"));

    @Test
    void idsKeepTheirOrderAcrossTheWholeIntRange() {
        HeadPostings index = new HeadPostings();
        long[] ids = {1, Integer.MAX_VALUE, (1L << 31) + 5, IdList.LIMIT - 1, 2, (1L << 31)};
        for (long id : ids) {
            index.add(id, Labels.of("job", "a", "i", Long.toString(id)));
        }
        assertEquals(List.of(1L, 2L, (long) Integer.MAX_VALUE, 1L << 31, (1L << 31) + 5, IdList.LIMIT - 1),
                toList(index.selectFrom(0, JOB_A)));

        LongList gone = new LongList();
        gone.add(1L << 31);
        gone.add(2);
        index.remove(gone, List.of(Labels.of("job", "a", "i", Long.toString(1L << 31)),
                Labels.of("job", "a", "i", "2")), 10);
        assertEquals(List.of(1L, (long) Integer.MAX_VALUE, (1L << 31) + 5, IdList.LIMIT - 1),
                toList(index.selectFrom(10, JOB_A)));
        assertNull(index.selectFrom(9, JOB_A), "older than the bound the removal set");
    }

    @Test
    void anIdBeyondTheLimitHandsEverySelectionToTheStoredIndex() {
        HeadPostings index = new HeadPostings();
        index.add(1, Labels.of("job", "a"));
        index.add(IdList.LIMIT, Labels.of("job", "a"));
        assertNull(index.selectFrom(Long.MAX_VALUE, JOB_A));
        index.add(2, Labels.of("job", "a"));
        assertNull(index.selectFrom(Long.MAX_VALUE, JOB_A));
    }

    private static List<Long> toList(LongList l) {
        Long[] out = new Long[l.size()];
        for (int i = 0; i < l.size(); i++) {
            out[i] = l.get(i);
        }
        return List.of(out);
    }
}
