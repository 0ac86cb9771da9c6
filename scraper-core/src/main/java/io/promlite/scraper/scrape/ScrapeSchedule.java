package io.promlite.scraper.scrape;

import java.nio.charset.StandardCharsets;

/**
 * When a target is scraped. Each target has a stable offset within its interval (a hash of its
 * labels and URL), so targets spread evenly and keep their slots across restarts; scrape
 * timestamps snap to the slot when the scrape started within Prometheus's tolerance of it, which
 * keeps sample spacing exact and chunks compact.
 */
final class ScrapeSchedule {
    /** Prometheus's ScrapeTimestampTolerance. */
    static final long TIMESTAMP_TOLERANCE_MS = 2;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final long intervalMs;
    private final long offsetMs;

    ScrapeSchedule(long intervalMs, long offsetMs) {
        this.intervalMs = intervalMs;
        this.offsetMs = Math.floorMod(offsetMs, intervalMs);
    }

    static ScrapeSchedule of(ScrapeTarget target) {
        return new ScrapeSchedule(target.interval().toMillis(), hash(target));
    }

    long intervalMs() {
        return intervalMs;
    }

    /** The first slot after {@code nowMs}. */
    long firstSlot(long nowMs) {
        long slot = nowMs - Math.floorMod(nowMs, intervalMs) + offsetMs;
        return slot <= nowMs ? slot + intervalMs : slot;
    }

    /**
     * The slot a timer tick at {@code nowMs} belongs to: the nearest one, so a tick that fires a
     * little early or late (timer granularity, wall clock against the monotonic timer) maps to it.
     */
    long slotOf(long nowMs) {
        long slot = nowMs - Math.floorMod(nowMs - offsetMs, intervalMs);
        return nowMs - slot > intervalMs / 2 ? slot + intervalMs : slot;
    }

    /** The slot when the scrape started at most the tolerance (capped at 1% of the interval) after it. */
    long timestamp(long startMs, long slotMs) {
        long tolerance = Math.min(intervalMs / 100, TIMESTAMP_TOLERANCE_MS);
        long lateness = startMs - slotMs;
        return lateness >= 0 && lateness <= tolerance ? slotMs : startMs;
    }

    /** FNV-1a over the target's labels and URL. */
    static long hash(ScrapeTarget target) {
        long h = FNV_OFFSET;
        for (byte c : (target.labels() + target.url()).getBytes(StandardCharsets.UTF_8)) {
            h ^= c & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }
}
