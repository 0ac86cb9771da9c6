package io.promlite.tsdb.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.promlite.tsdb.model.StaleNaN;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

class CommitLogTest {
    /** Values of every shape: integers, hundredths, other floats, and bit patterns only the raw form keeps. */
    private static final double[] VALUES = {
        0, 1, -1, 42, 1e9, -123456789, 9007199254740992.0, -9007199254740992.0, 9007199254740994.0,
        Long.MAX_VALUE, Long.MIN_VALUE, 1e300, 0.01, 12345.67, -0.5, 0.1, 0.3, 1.0 / 3, 2.5e-320, Double.MIN_VALUE,
        -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, Double.longBitsToDouble(0x7ff8000000000123L),
        StaleNaN.VALUE, Math.PI, 90071992547409.91, 1e15 + 0.25,
    };

    @TempDir
    Path dir;

    record Logged(long id, long t, long bits, long st) {
    }

    @Test
    void compactRecordsGiveBackEveryValueBitForBit() throws Exception {
        try (RocksStore store = RocksStore.open(dir); WriteOptions wo = new WriteOptions()) {
            CommitLog log = new CommitLog(store.db(), store.log(), 0);
            List<Logged> written = new ArrayList<>();
            for (boolean startTimes : new boolean[] {false, true}) {
                log.begin(startTimes);
                long t = 1_700_000_000_000L;
                for (int i = 0; i < VALUES.length; i++) {
                    long bits = Double.doubleToRawLongBits(VALUES[i]);
                    long st = startTimes && i % 2 == 0 ? t - 5000 : 0;
                    log.add(i * 3L, t + i, bits, st);
                    written.add(new Logged(i * 3L, t + i, bits, st));
                }
                try (WriteBatch batch = new WriteBatch()) {
                    log.put(batch);
                    store.db().write(wo, batch);
                }
                log.written();
            }
            List<Logged> read = new ArrayList<>();
            log.replay(0, (id, t, bits, st) -> read.add(new Logged(id, t, bits, st)));
            assertEquals(written, read);
        }
    }

    @Test
    void integerAndHundredthValuesTakeFewBytes() {
        assertEquals(0, CommitLog.valueCode(Double.doubleToRawLongBits(0)));
        assertTrue(ByteCodec.uvarintSize(CommitLog.valueCode(Double.doubleToRawLongBits(1e9))) <= 5);
        assertTrue(ByteCodec.uvarintSize(CommitLog.valueCode(Double.doubleToRawLongBits(12345.67))) <= 4);
        assertEquals(3, CommitLog.valueCode(Double.doubleToRawLongBits(Math.PI)));
        assertEquals(3, CommitLog.valueCode(Double.doubleToRawLongBits(-0.0)));
        assertEquals(3, CommitLog.valueCode(Double.doubleToRawLongBits(StaleNaN.VALUE)));
    }

    /** Records written before values were coded (8-byte key, or the start-times flag alone) still read. */
    @Test
    void readsRecordsOfTheRawValueFormat() throws Exception {
        try (RocksStore store = RocksStore.open(dir)) {
            long t0 = 1_700_000_000_000L;
            ByteWriter plain = new ByteWriter(64).varint(t0);
            plain.varint(7).varint(0).fixedLong(Double.doubleToRawLongBits(1.5));
            plain.varint(1).varint(15).fixedLong(Double.doubleToRawLongBits(StaleNaN.VALUE));
            store.db().put(store.log(), key(5, -1), plain.toArray());
            ByteWriter withStart = new ByteWriter(64).varint(t0);
            withStart.varint(9).varint(0).fixedLong(Double.doubleToRawLongBits(42)).uvarint(ByteCodec.zigzag(1000) + 1);
            store.db().put(store.log(), key(6, 1), withStart.toArray());

            CommitLog log = new CommitLog(store.db(), store.log(), 0);
            assertEquals(7, log.nextSeq());
            List<Logged> read = new ArrayList<>();
            log.replay(0, (id, t, bits, st) -> read.add(new Logged(id, t, bits, st)));
            assertEquals(List.of(
                    new Logged(7, t0, Double.doubleToRawLongBits(1.5), 0),
                    new Logged(8, t0 + 15, Double.doubleToRawLongBits(StaleNaN.VALUE), 0),
                    new Logged(9, t0, Double.doubleToRawLongBits(42), t0 - 1000)), read);
        }
    }

    private static byte[] key(long seq, int flags) {
        byte[] k = new byte[flags < 0 ? 8 : 9];
        ByteCodec.putLong(k, 0, seq);
        if (flags >= 0) {
            k[8] = (byte) flags;
        }
        return k;
    }
}
