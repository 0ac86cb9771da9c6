package io.promlite.tsdb.head;

import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.store.LabelsCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * The series held in memory, found by id (the appender's fast path) or by label set. Series keep
 * their labels encoded, not as {@link Labels} objects; the label-set index holds only 32 bits of a hash
 * per series and checks a candidate's encoded labels on lookup. Series are loaded or created by
 * the store, which owns id assignment and disk access.
 */
public final class Head {
    private static final int REF_ID_BITS = 40;
    private static final long REF_ID_MASK = (1L << REF_ID_BITS) - 1;
    /** Slot numbers (plus one) take the 23 bits above the id, keeping references positive. */
    private static final int MAX_REF_SLOT = (1 << (63 - REF_ID_BITS)) - 1;
    private final SeriesTable byLabels = SeriesTable.byLabelHash();
    private final SeriesTable byId = SeriesTable.byId();

    public MemSeries get(long id) {
        return byId.get(id);
    }

    /**
     * The series a reference from {@link #refOf} names, if it is still where the reference says
     * (it moves when its table resizes or a neighbour is removed; the caller then looks it up by id or labels). A reference
     * is the series id with the series' slot in the id table above bit 40, so the appender's
     * lookup costs one array read instead of a probe through the table's keys.
     */
    public MemSeries byRef(long ref) {
        int slot = (int) (ref >>> REF_ID_BITS) - 1;
        return slot < 0 ? null : byId.atSlot(ref & REF_ID_MASK, slot);
    }

    /** How many references {@link #prefetch} reads at a time: the size of its scratch array. */
    public static final int PREFETCH_BLOCK = 32;

    /**
     * Reads the series behind {@code refs[from, to)} only to bring them into the CPU cache, for
     * {@link #byRef} calls that follow: first the table slot of every reference, then every series
     * found there. The reads of a block do not depend on one another, so their cache misses
     * overlap, where lookups one at a time each wait for memory twice (the slot, then the series).
     * References are not validated: a stale one touches some other series, which is harmless.
     *
     * @param scratch at least {@link #PREFETCH_BLOCK} long; left cleared
     * @return a meaningless value, for the caller to keep so that the reads are not optimized away
     */
    public int prefetch(long[] refs, int from, int to, MemSeries[] scratch) {
        int sum = 0;
        for (int i = from; i < to; i += PREFETCH_BLOCK) {
            int n = Math.min(PREFETCH_BLOCK, to - i);
            for (int j = 0; j < n; j++) {
                long ref = refs[i + j];
                scratch[j] = byId.atSlotUnchecked(ref & REF_ID_MASK, (int) (ref >>> REF_ID_BITS) - 1);
            }
            for (int j = 0; j < n; j++) {
                MemSeries s = scratch[j];
                if (s != null) {
                    sum += (int) (s.id() + s.lastT());
                    scratch[j] = null;
                }
            }
        }
        return sum;
    }

    /** The series id in a reference. */
    public static long idOf(long ref) {
        return ref & REF_ID_MASK;
    }

    /**
     * A reference for {@link #byRef}: the id with the series' slot; the bare id (found by id
     * instead) where the slot is unknown or exceeds its bits; 0 (none) for an id beyond its bits.
     */
    public long refOf(MemSeries s) {
        if ((s.id() & ~REF_ID_MASK) != 0) {
            return 0;
        }
        int slot = byId.slotOf(s.id(), s);
        return slot < 0 || slot >= MAX_REF_SLOT ? s.id() : ((long) (slot + 1) << REF_ID_BITS) | s.id();
    }

    public MemSeries get(Labels labels) {
        return byLabels.get(LabelsCodec.hash(labels), labels);
    }

    /**
     * Registers a series from its {@link LabelsCodec} encoding (kept as is, so it should be
     * exactly sized); callers serialize creation so a label set is added once.
     */
    public MemSeries add(long id, byte[] encodedLabels, boolean persisted) {
        MemSeries s = new MemSeries(id, encodedLabels, persisted);
        byId.put(id, s);
        byLabels.put(LabelsCodec.hash(encodedLabels), s);
        return s;
    }

    /** Forgets a series whose chunks are all persisted; it is reloaded from disk when seen again. */
    public void evict(MemSeries s) {
        s.markEvicted();
        byLabels.remove(LabelsCodec.hash(s.encodedLabels()), s);
        byId.remove(s.id(), s);
    }

    public int size() {
        return byId.size();
    }

    public List<MemSeries> all() {
        List<MemSeries> out = new ArrayList<>(size() + 16);
        byId.collect(out);
        return out;
    }
}
