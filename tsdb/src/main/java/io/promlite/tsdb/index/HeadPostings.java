package io.promlite.tsdb.index;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.Matcher;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The postings of the series in the head, in memory: label name → value → sorted series ids, as
 * Prometheus's head answers selections without touching storage. It answers alone only for
 * ranges starting at or after {@link #coversFrom}, the time from which every series with a
 * sample is known to be in the head; older ranges need the stored {@link PostingsIndex}.
 *
 * <p>Memory: per series one id (4 bytes, plus list slack) per label pair; per distinct value a map
 * entry and a list. Names and values are the strings of the series' labels as the head decodes
 * them, i.e. its symbol table's shared strings.
 *
 * <p>Thread-safe: queries read under a read lock; series entering or leaving the head write
 * under the write lock (rare next to appends, which do not touch this index).
 */
public final class HeadPostings {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Map<String, IdList>> postings = new HashMap<>();
    /**
     * Lists that got an id out of order (a series loaded back from disk, or replayed): they are
     * sorted before the next selection rather than on each insert, so a replay of many series
     * costs one sort per list.
     */
    private final Set<IdList> unsorted = Collections.newSetFromMap(new IdentityHashMap<>());
    /** False for a store serving no queries, or once an id outgrows {@link IdList}; guarded by the lock. */
    private boolean enabled;
    private long coversFrom;

    public HeadPostings() {
        this(true);
    }

    private HeadPostings(boolean enabled) {
        this.enabled = enabled;
        this.coversFrom = enabled ? Long.MIN_VALUE : Long.MAX_VALUE;
    }

    /** An index that lists nothing and answers no selection, for a store that serves no queries. */
    public static HeadPostings disabled() {
        return new HeadPostings(false);
    }

    /** Lists a series entering the head (created, loaded or replayed). */
    public void add(long id, Labels labels) {
        lock.writeLock().lock();
        try {
            if (!enabled) {
                return;
            }
            if (id >= IdList.LIMIT) {
                // Over four billion series created: selections read the stored index from now on.
                enabled = false;
                coversFrom = Long.MAX_VALUE;
                postings.clear();
                unsorted.clear();
                return;
            }
            for (int i = 0; i < labels.size(); i++) {
                IdList ids = postings.computeIfAbsent(labels.name(i), k -> new HashMap<>())
                        .computeIfAbsent(labels.value(i), k -> new IdList());
                if (!ids.isEmpty() && ids.last() >= id) {
                    unsorted.add(ids);
                }
                ids.add(id);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Unlists series leaving the head, {@code labels.get(i)} being those of {@code ids.get(i)},
     * and moves {@link #coversFrom} to at least {@code coveredFrom} (after their last samples)
     * in the same step, so no selection sees the series gone but the old bound.
     */
    public void remove(LongList ids, List<Labels> labels, long coveredFrom) {
        if (ids.isEmpty()) {
            return;
        }
        LongList sorted = ids.copy().sortDistinct();
        lock.writeLock().lock();
        try {
            if (!enabled) {
                return;
            }
            coversFrom = Math.max(coversFrom, coveredFrom);
            sortPending();
            // Each affected list is compacted once, however many of its series leave.
            Map<String, Set<String>> touched = new HashMap<>();
            for (Labels l : labels) {
                for (int i = 0; i < l.size(); i++) {
                    touched.computeIfAbsent(l.name(i), k -> new HashSet<>()).add(l.value(i));
                }
            }
            for (Map.Entry<String, Set<String>> e : touched.entrySet()) {
                Map<String, IdList> values = postings.get(e.getKey());
                if (values == null) {
                    continue;
                }
                for (String value : e.getValue()) {
                    IdList list = values.get(value);
                    if (list != null) {
                        list.removeAll(sorted);
                        if (list.isEmpty()) {
                            values.remove(value);
                        }
                    }
                }
                if (values.isEmpty()) {
                    postings.remove(e.getKey());
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Moves {@link #coversFrom} to at least {@code t}. */
    public void raiseCoversFrom(long t) {
        lock.writeLock().lock();
        try {
            coversFrom = Math.max(coversFrom, t);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The time from which every series with a sample is in the head. */
    public long coversFrom() {
        lock.readLock().lock();
        try {
            return coversFrom;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The head series matching every matcher, sorted, when the head holds every series with a
     * sample at or after {@code mint}; null when it may not (the caller reads the stored index).
     */
    public LongList selectFrom(long mint, List<Matcher> matchers) {
        lock.readLock().lock();
        try {
            if (!unsorted.isEmpty()) {
                lock.readLock().unlock();
                lock.writeLock().lock();
                try {
                    sortPending();
                } finally {
                    // Downgrading keeps writers out, so the lists stay sorted while selecting.
                    lock.readLock().lock();
                    lock.writeLock().unlock();
                }
            }
            return !enabled || mint < coversFrom ? null : PostingsSource.select(source, matchers);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Caller holds the write lock. */
    private void sortPending() {
        for (IdList ids : unsorted) {
            ids.sortDistinct();
        }
        unsorted.clear();
    }

    /** Reads the maps; callers hold the read lock and every list is sorted. */
    private final PostingsSource source = new PostingsSource() {
        @Override
        public LongList postings(String name, String value) {
            Map<String, IdList> values = HeadPostings.this.postings.get(name);
            IdList ids = values == null ? null : values.get(value);
            LongList out = new LongList(ids == null ? 1 : ids.size());
            if (ids != null) {
                ids.addTo(out);
            }
            return out;
        }

        @Override
        public void scanValues(String name, ValueVisitor visitor) {
            Map<String, IdList> values = HeadPostings.this.postings.get(name);
            if (values == null) {
                return;
            }
            for (Map.Entry<String, IdList> e : values.entrySet()) {
                LongList sink = visitor.visit(e.getKey());
                if (sink != null) {
                    e.getValue().addTo(sink);
                }
            }
        }

        @Override
        public LongList all() {
            // Only for matchers that all accept the absent label, which PromQL rejects: rare.
            LongList all = new LongList();
            for (Map<String, IdList> values : HeadPostings.this.postings.values()) {
                for (IdList ids : values.values()) {
                    ids.addTo(all);
                }
            }
            return all.sortDistinct();
        }
    };
}
