package io.promlite.tsdb;

import io.promlite.tsdb.head.Head;
import io.promlite.tsdb.head.MemSeries;
import io.promlite.tsdb.model.Labels;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Stages samples in primitive arrays; the store validates them again at commit. The arrays are
 * borrowed from a pool for the appender's batch and returned at commit or rollback, so a scrape
 * (one appender per scrape) does not allocate them again and again.
 */
final class TsdbAppender implements Appender {
    private final Tsdb tsdb;
    private final StagingPool pool;
    private Staging staging;
    /** Where {@link #prefetch} folds the values it read, so that the JIT keeps those reads. */
    @SuppressWarnings("unused")
    private int prefetchSink;
    /** Nonzero references that missed the fast path ({@link Tsdb#seriesByRef}): kept for tests. */
    int idLookups;

    TsdbAppender(Tsdb tsdb, StagingPool pool) {
        this.tsdb = tsdb;
        this.pool = pool;
    }

    @Override
    public long append(long ref, Labels labels, long timestampMs, double value) throws AppendException {
        return appendWithStart(ref, labels, timestampMs, 0, value);
    }

    @Override
    public long appendWithStart(long ref, Labels labels, long timestampMs, long startTimestampMs, double value)
            throws AppendException {
        MemSeries s = tsdb.seriesByRef(ref);
        if (s == null) {
            if (ref != 0) {
                idLookups++;
            }
            s = tsdb.seriesById(ref);
            if (s == null) {
                s = tsdb.series(labels);
            }
            ref = tsdb.refOf(s);
        }
        stage(s, timestampMs, value, startTimestampMs);
        return ref;
    }

    @Override
    public long appendKnown(long ref, long timestampMs, double value) throws AppendException {
        MemSeries s = tsdb.seriesByRef(ref);
        if (s == null) {
            if (ref != 0) {
                idLookups++;
            }
            s = tsdb.seriesById(ref);
            ref = s == null ? 0 : tsdb.refOf(s);
            if (ref == 0) {
                // Staging nothing, as the caller appends this sample again with its labels.
                return 0;
            }
        }
        stage(s, timestampMs, value, 0);
        return ref;
    }

    @Override
    public void prefetch(long[] refs, int from, int to) {
        if (staging == null) {
            staging = pool.take();
        }
        prefetchSink += tsdb.prefetch(refs, from, to, staging.prefetched);
    }

    private void stage(MemSeries s, long timestampMs, double value, long st) throws AppendException {
        // Raw bits: the staleness marker must survive exactly, and NaN payloads must not collapse.
        long b = Double.doubleToRawLongBits(value);
        long lastT = s.lastT();
        if (lastT != MemSeries.NO_SAMPLE) {
            if (timestampMs < lastT) {
                tsdb.count(1, 0, 0);
                throw new AppendException(AppendException.Reason.OUT_OF_ORDER);
            }
            if (timestampMs == lastT) {
                if (b == s.lastBits()) {
                    return;
                }
                tsdb.count(0, 1, 0);
                throw new AppendException(AppendException.Reason.DUPLICATE);
            }
        }
        if (timestampMs < tsdb.minValidTime()) {
            tsdb.count(0, 0, 1);
            throw new AppendException(AppendException.Reason.OUT_OF_BOUNDS);
        }
        if (staging == null) {
            staging = pool.take();
        }
        staging.add(s, timestampMs, b, st);
    }

    @Override
    public void commit() {
        if (staging == null) {
            return;
        }
        try {
            tsdb.commit(staging.series, staging.ts, staging.bits, staging.st, staging.n);
        } finally {
            release();
        }
    }

    @Override
    public void rollback() {
        if (staging != null) {
            release();
        }
    }

    private void release() {
        Staging s = staging;
        staging = null;
        s.clear();
        pool.give(s);
    }

    /** One batch's samples, as parallel arrays. */
    static final class Staging {
        MemSeries[] series = new MemSeries[256];
        long[] ts = new long[256];
        long[] bits = new long[256];
        /** Start timestamps (0: none); null until the batch stages one, so batches without cost nothing. */
        long[] st;
        int n;
        /** {@link #prefetch}'s scratch space: the series of one block of references. */
        final MemSeries[] prefetched = new MemSeries[Head.PREFETCH_BLOCK];

        void add(MemSeries s, long t, long b, long startTime) {
            if (n == series.length) {
                int cap = n * 2;
                series = Arrays.copyOf(series, cap);
                ts = Arrays.copyOf(ts, cap);
                bits = Arrays.copyOf(bits, cap);
                if (st != null) {
                    st = Arrays.copyOf(st, cap);
                }
            }
            if (startTime != 0 && st == null) {
                st = new long[series.length];
            }
            series[n] = s;
            ts[n] = t;
            bits[n] = b;
            if (st != null) {
                st[n] = startTime;
            }
            n++;
        }

        void clear() {
            Arrays.fill(series, 0, n, null);
            st = null;
            n = 0;
        }
    }

    /** A bounded pool of staging buffers; an array-backed queue, so lending allocates nothing. */
    static final class StagingPool {
        /** Buffers grown beyond this many samples are dropped rather than kept. */
        private static final int MAX_POOLED_SAMPLES = 1 << 16;
        private final ArrayBlockingQueue<Staging> free = new ArrayBlockingQueue<>(64);

        Staging take() {
            Staging s = free.poll();
            return s != null ? s : new Staging();
        }

        void give(Staging s) {
            if (s.series.length <= MAX_POOLED_SAMPLES) {
                free.offer(s);
            }
        }
    }
}
