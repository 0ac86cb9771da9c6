package io.promlite.tsdb.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Querier;
import io.promlite.tsdb.SeriesSet;
import io.promlite.tsdb.Tsdb;
import io.promlite.tsdb.TsdbOptions;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import io.promlite.tsdb.store.Partitions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compares index-driven selection with a brute-force scan over random label sets. */
class IndexReferenceTest {
    private static final String[] NAMES = {"job", "instance", "env", "code", "le"};
    private static final String[] VALUES = {"a", "b", "ab", "api", "200", "500", "x\u00e9", ""};
    private static final String[] PATTERNS = {"a.*", ".*", "", "a|b", "[0-9]+", ".+", "b?", "x.", "2.*|a"};

    @TempDir
    Path dir;

    @Test
    void everyMatcherTypeAgreesWithBruteForce() throws Exception {
        Random rnd = new Random(42);
        long day = Partitions.PARTITION_MS;
        // Each series lives in one or two of three days, so selection must union partitions too.
        List<Labels> all = new ArrayList<>();
        List<long[]> times = new ArrayList<>();
        try (Tsdb db = Tsdb.open(TsdbOptions.defaults(dir))) {
            Appender app = db.appender();
            for (int i = 0; i < 300; i++) {
                Labels.Builder b = Labels.builder().set("__name__", "m" + rnd.nextInt(3));
                for (String n : NAMES) {
                    if (rnd.nextInt(3) > 0) {
                        b.set(n, VALUES[rnd.nextInt(VALUES.length)]);
                    }
                }
                Labels l = b.set("i", Integer.toString(i)).build();
                long first = rnd.nextInt(3) * day + rnd.nextInt(1000);
                long last = first + (rnd.nextBoolean() ? day : 0);
                app.append(0, l, first, 1);
                if (last != first) {
                    app.append(0, l, last, 2);
                }
                all.add(l);
                times.add(new long[] {first, last});
            }
            app.commit();

            int nonEmpty = 0;
            for (int q = 0; q < 400; q++) {
                List<Matcher> matchers = new ArrayList<>();
                int count = 1 + rnd.nextInt(3);
                for (int k = 0; k < count; k++) {
                    matchers.add(randomMatcher(rnd));
                }
                long mint = rnd.nextInt(4) * day - rnd.nextInt(2000);
                long maxt = mint + rnd.nextInt(2) * day + rnd.nextInt(2000);

                TreeSet<Labels> expected = new TreeSet<>();
                for (int i = 0; i < all.size(); i++) {
                    Labels l = all.get(i);
                    boolean inRange = false;
                    for (long t : times.get(i)) {
                        inRange |= t >= mint && t <= maxt;
                    }
                    if (inRange && matchers.stream().allMatch(m -> m.matches(l))) {
                        expected.add(l);
                    }
                }
                List<Labels> actual = new ArrayList<>();
                try (Querier querier = db.querier(mint, maxt)) {
                    SeriesSet set = querier.select(matchers);
                    while (set.next()) {
                        actual.add(set.at().labels());
                    }
                }
                nonEmpty += actual.isEmpty() ? 0 : 1;
                assertEquals(new ArrayList<>(expected), actual,
                        "matchers " + matchers + " over [" + mint + ", " + maxt + "]");
            }
            assertTrue(nonEmpty > 100, "the random queries should mostly select something, got " + nonEmpty);
        }
    }

    private static Matcher randomMatcher(Random rnd) {
        Matcher.Type type = Matcher.Type.values()[rnd.nextInt(4)];
        String name = rnd.nextInt(8) == 0 ? "__name__" : NAMES[rnd.nextInt(NAMES.length)];
        String value = switch (type) {
            case EQUAL, NOT_EQUAL -> name.equals("__name__") ? "m" + rnd.nextInt(4) : VALUES[rnd.nextInt(VALUES.length)];
            case REGEX, NOT_REGEX -> PATTERNS[rnd.nextInt(PATTERNS.length)];
        };
        return Matcher.of(type, name, value);
    }
}
