package io.promlite.tsdb.store;

/**
 * Time partitions: one per UTC day. Postings and chunks are keyed by partition first, so a query
 * only touches the days it covers and retention drops whole days with one range delete.
 */
public final class Partitions {
    public static final long PARTITION_MS = 86_400_000L;

    private Partitions() {
    }

    /**
     * The partition of a timestamp. Saturates one short of the int range for timestamps beyond any
     * real data (about ±5.8 million years), so loops over partitions never overflow.
     */
    public static int of(long timestampMs) {
        long p = Math.floorDiv(timestampMs, PARTITION_MS);
        return (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE - 1, p));
    }

    public static long start(int partition) {
        return partition * PARTITION_MS;
    }

    /** The 4-byte key prefix of a partition: keys of column families partitioned by day start with it. */
    public static byte[] key(int partition) {
        byte[] k = new byte[4];
        ByteCodec.putSortableInt(k, 0, partition);
        return k;
    }

    /** The last millisecond of the partition. */
    public static long end(int partition) {
        return start(partition) + PARTITION_MS - 1;
    }
}
