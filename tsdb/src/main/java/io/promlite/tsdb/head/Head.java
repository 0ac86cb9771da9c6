package io.promlite.tsdb.head;

import io.promlite.tsdb.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The series held in memory, found by id (the appender's fast path) or by label set.
 * Series are loaded or created by the store, which owns id assignment and disk access.
 */
public final class Head {
    private final ConcurrentHashMap<Labels, MemSeries> byLabels = new ConcurrentHashMap<>();
    private final SeriesIdMap byId = new SeriesIdMap();

    public MemSeries get(long id) {
        return byId.get(id);
    }

    public MemSeries get(Labels labels) {
        return byLabels.get(labels);
    }

    /** Registers a new series; callers serialize creation so a label set is added once. */
    public MemSeries add(long id, Labels labels, boolean persisted) {
        MemSeries s = new MemSeries(id, labels, persisted);
        byId.put(s);
        byLabels.put(labels, s);
        return s;
    }

    /** Forgets a series whose chunks are all persisted; it is reloaded from disk when seen again. */
    public void evict(MemSeries s) {
        s.markEvicted();
        byLabels.remove(s.labels(), s);
        byId.remove(s.id());
    }

    public int size() {
        return byLabels.size();
    }

    public List<MemSeries> all() {
        List<MemSeries> out = new ArrayList<>(size() + 16);
        byId.collect(out);
        return out;
    }
}
