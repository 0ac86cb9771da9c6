package io.promlite.promql.script;

import io.promlite.tsdb.Appender;
import io.promlite.tsdb.Querier;
import io.promlite.tsdb.SampleIterator;
import io.promlite.tsdb.Series;
import io.promlite.tsdb.SeriesSet;
import io.promlite.tsdb.Storage;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A minimal in-memory Storage for the script runner until the RocksDB store is available on this
 * branch. Samples are appended in time order per series, as the script loader does.
 */
final class InMemoryStorage implements Storage {
    private final Map<Labels, SeriesData> series = new TreeMap<>();

    private static final class SeriesData {
        long[] ts = new long[8];
        double[] vs = new double[8];
        int n;

        void add(long t, double v) {
            if (n == ts.length) {
                ts = Arrays.copyOf(ts, n * 2);
                vs = Arrays.copyOf(vs, n * 2);
            }
            ts[n] = t;
            vs[n++] = v;
        }
    }

    @Override
    public Appender appender() {
        return new Appender() {
            @Override
            public long append(long ref, Labels labels, long timestampMs, double value) {
                series.computeIfAbsent(labels, l -> new SeriesData()).add(timestampMs, value);
                return 0;
            }

            @Override
            public void commit() {
            }

            @Override
            public void rollback() {
                throw new UnsupportedOperationException("the script loader never rolls back");
            }
        };
    }

    @Override
    public Querier querier(long mint, long maxt) {
        return new Querier() {
            @Override
            public SeriesSet select(List<Matcher> matchers) {
                List<Series> out = new ArrayList<>();
                for (Map.Entry<Labels, SeriesData> e : series.entrySet()) {
                    if (!matchesAll(e.getKey(), matchers)) {
                        continue;
                    }
                    SeriesData d = e.getValue();
                    int lo = lowerBound(d, mint);
                    int hi = lowerBound(d, maxt + 1);
                    if (hi > lo) {
                        out.add(new ArraySeries(e.getKey(), d.ts, d.vs, lo, hi));
                    }
                }
                return new SeriesSet() {
                    int i = -1;

                    @Override
                    public boolean next() {
                        return ++i < out.size();
                    }

                    @Override
                    public Series at() {
                        return out.get(i);
                    }
                };
            }

            @Override
            public List<String> labelNames(List<Matcher> matchers) {
                TreeSet<String> names = new TreeSet<>();
                series.keySet().stream().filter(l -> matchesAll(l, matchers)).forEach(l -> names.addAll(l.names()));
                return new ArrayList<>(names);
            }

            @Override
            public List<String> labelValues(String name, List<Matcher> matchers) {
                TreeSet<String> values = new TreeSet<>();
                series.keySet().stream().filter(l -> matchesAll(l, matchers) && l.has(name))
                        .forEach(l -> values.add(l.get(name)));
                return new ArrayList<>(values);
            }

            @Override
            public void close() {
            }
        };
    }

    private static boolean matchesAll(Labels l, List<Matcher> matchers) {
        for (Matcher m : matchers) {
            if (!m.matches(l)) {
                return false;
            }
        }
        return true;
    }

    private static int lowerBound(SeriesData d, long t) {
        int lo = 0;
        int hi = d.n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (d.ts[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private record ArraySeries(Labels labels, long[] ts, double[] vs, int from, int to) implements Series {
        @Override
        public SampleIterator iterator() {
            return new SampleIterator() {
                int i = from - 1;

                @Override
                public boolean next() {
                    return ++i < to;
                }

                @Override
                public boolean seek(long t) {
                    if (i < from) {
                        i = from;
                    }
                    while (i < to && ts[i] < t) {
                        i++;
                    }
                    return i < to;
                }

                @Override
                public long timestamp() {
                    return ts[i];
                }

                @Override
                public double value() {
                    return vs[i];
                }
            };
        }
    }

    @Override
    public void close() {
        series.clear();
    }
}
