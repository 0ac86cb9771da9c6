package io.promlite.tsdb.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class LongListTest {
    private static LongList sorted(TreeSet<Long> set) {
        LongList l = new LongList();
        set.forEach(l::add);
        return l;
    }

    private static List<Long> toList(LongList l) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            out.add(l.get(i));
        }
        return out;
    }

    @Test
    void setOperationsMatchTreeSets() {
        Random rnd = new Random(2);
        for (int round = 0; round < 200; round++) {
            TreeSet<Long> a = new TreeSet<>();
            TreeSet<Long> b = new TreeSet<>();
            for (int i = rnd.nextInt(50); i > 0; i--) {
                a.add((long) rnd.nextInt(60));
            }
            for (int i = rnd.nextInt(50); i > 0; i--) {
                b.add((long) rnd.nextInt(60));
            }
            TreeSet<Long> union = new TreeSet<>(a);
            union.addAll(b);
            TreeSet<Long> inter = new TreeSet<>(a);
            inter.retainAll(b);
            TreeSet<Long> diff = new TreeSet<>(a);
            diff.removeAll(b);
            assertEquals(List.copyOf(union), toList(LongList.union(List.of(sorted(a), sorted(b)))));
            assertEquals(List.copyOf(inter), toList(LongList.intersect(sorted(a), sorted(b))));
            assertEquals(List.copyOf(diff), toList(LongList.subtract(sorted(a), sorted(b))));
        }
    }
}
