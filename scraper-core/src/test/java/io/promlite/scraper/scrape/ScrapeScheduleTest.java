package io.promlite.scraper.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.promlite.tsdb.model.Labels;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScrapeScheduleTest {
    /** A multiple of 15s, so slots of the 15s schedule sit at BASE + offset + k * 15s. */
    private static final long BASE = 1_500_000_000_000L;
    private final ScrapeSchedule every15s = new ScrapeSchedule(15_000, 4_000);

    @Test
    void slotsSitAtTheTargetsOffsetWithinTheInterval() {
        assertEquals(BASE + 19_000, every15s.firstSlot(BASE + 9_000));
        assertEquals(BASE + 4_000, every15s.firstSlot(BASE + 3_999));
        assertEquals(BASE + 19_000, every15s.firstSlot(BASE + 4_000), "a slot exactly now waits a round");
    }

    @Test
    void aTickBelongsToTheNearestSlot() {
        assertEquals(BASE + 4_000, every15s.slotOf(BASE + 4_000));
        assertEquals(BASE + 4_000, every15s.slotOf(BASE + 4_003), "a late tick");
        assertEquals(BASE + 4_000, every15s.slotOf(BASE + 3_999), "an early tick");
        assertEquals(BASE + 19_000, every15s.slotOf(BASE + 12_000));
    }

    @Test
    void timestampsSnapToTheSlotWithinTwoMilliseconds() {
        long slot = BASE + 4_000;
        assertEquals(slot, every15s.timestamp(slot, slot));
        assertEquals(slot, every15s.timestamp(slot + 2, slot));
        assertEquals(slot + 3, every15s.timestamp(slot + 3, slot));
        ScrapeSchedule every100ms = new ScrapeSchedule(100, 0);
        assertEquals(slot + 2, every100ms.timestamp(slot + 2, slot), "tolerance is capped at 1% of the interval");
        assertEquals(slot, every100ms.timestamp(slot + 1, slot));
    }

    @Test
    void theOffsetIsStablePerTarget() {
        ScrapeTarget a = target("a:1");
        assertEquals(ScrapeSchedule.hash(a), ScrapeSchedule.hash(target("a:1")));
        assertNotEquals(ScrapeSchedule.hash(a), ScrapeSchedule.hash(target("b:1")));
    }

    private static ScrapeTarget target(String address) {
        return new ScrapeTarget(Labels.of("job", "j", "instance", address), Labels.EMPTY, "http", address,
                address.substring(0, address.indexOf(':')), 1, "/metrics", Duration.ofSeconds(15), Duration.ofSeconds(10));
    }
}
