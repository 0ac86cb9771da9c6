package io.promlite.tsdb;

import io.promlite.tsdb.head.MemSeries;
import io.promlite.tsdb.model.Labels;
import java.util.Arrays;

/** Stages samples in primitive arrays; the store validates them again at commit. */
final class TsdbAppender implements Appender {
    private final Tsdb tsdb;
    private MemSeries[] series = new MemSeries[64];
    private long[] ts = new long[64];
    private long[] bits = new long[64];
    private int n;

    TsdbAppender(Tsdb tsdb) {
        this.tsdb = tsdb;
    }

    @Override
    public long append(long ref, Labels labels, long timestampMs, double value) throws AppendException {
        MemSeries s = tsdb.series(ref, labels);
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
                    return s.id();
                }
                tsdb.count(0, 1, 0);
                throw new AppendException(AppendException.Reason.DUPLICATE);
            }
        }
        if (timestampMs < tsdb.minValidTime()) {
            tsdb.count(0, 0, 1);
            throw new AppendException(AppendException.Reason.OUT_OF_BOUNDS);
        }
        if (n == series.length) {
            int cap = n * 2;
            series = Arrays.copyOf(series, cap);
            ts = Arrays.copyOf(ts, cap);
            bits = Arrays.copyOf(bits, cap);
        }
        series[n] = s;
        ts[n] = timestampMs;
        bits[n] = b;
        n++;
        return s.id();
    }

    @Override
    public void commit() {
        try {
            tsdb.commit(series, ts, bits, n);
        } finally {
            clear();
        }
    }

    @Override
    public void rollback() {
        clear();
    }

    private void clear() {
        Arrays.fill(series, 0, n, null);
        n = 0;
    }
}
