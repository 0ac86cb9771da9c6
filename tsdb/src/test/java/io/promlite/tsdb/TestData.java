package io.promlite.tsdb;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads query results into plain collections for assertions. */
final class TestData {
    private TestData() {
    }

    /** One sample, with the value's raw bits so NaN payloads compare exactly. */
    record Point(long t, long bits) {
        static Point of(long t, double v) {
            return new Point(t, Double.doubleToRawLongBits(v));
        }

        @Override
        public String toString() {
            return t + "=" + Double.longBitsToDouble(bits);
        }
    }

    static Map<Labels, List<Point>> select(Storage db, long mint, long maxt, Matcher... matchers) {
        Map<Labels, List<Point>> out = new LinkedHashMap<>();
        try (Querier q = db.querier(mint, maxt)) {
            SeriesSet set = q.select(List.of(matchers));
            while (set.next()) {
                Series s = set.at();
                List<Point> points = new ArrayList<>();
                SampleIterator it = s.iterator();
                while (it.next()) {
                    points.add(new Point(it.timestamp(), Double.doubleToRawLongBits(it.value())));
                }
                out.put(s.labels(), points);
            }
        }
        return out;
    }

    static void appendAll(Storage db, Labels labels, long... timestamps) throws AppendException {
        Appender app = db.appender();
        for (long t : timestamps) {
            app.append(0, labels, t, t / 1000.0);
        }
        app.commit();
    }
}
