package io.promlite.remote;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QueueManagerTest {

    @Test
    void seriesSpreadEvenlyOverEveryShardCount() {
        for (int shards : new int[] {1, 2, 3, 7, 50, 200}) {
            int[] counts = new int[shards];
            // Series ids come in runs (a target's series are created together).
            int ids = 2000 * shards;
            for (long id = 1; id <= ids; id++) {
                int s = QueueManager.shardOf(id, shards);
                assertTrue(s >= 0 && s < shards, "shard " + s + " of " + shards);
                counts[s]++;
            }
            for (int c : counts) {
                assertTrue(Math.abs(c - 2000) < 200, shards + " shards: " + java.util.Arrays.toString(counts));
            }
        }
        // Ids are unsigned to the hash: the top bit set still gives a shard in range.
        for (long id : new long[] {-1L, Long.MIN_VALUE, Long.MAX_VALUE}) {
            int s = QueueManager.shardOf(id, 3);
            assertTrue(s >= 0 && s < 3, "shard " + s);
        }
    }
}
