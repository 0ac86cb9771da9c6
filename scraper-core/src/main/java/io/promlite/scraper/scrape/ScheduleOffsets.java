package io.promlite.scraper.scrape;

import java.nio.charset.StandardCharsets;

/** A stable hash per target, so its scrapes keep the same offset within the interval across restarts. */
final class ScheduleOffsets {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private ScheduleOffsets() {
    }

    /** FNV-1a over the target's labels and URL: spreads targets evenly over the interval. */
    static long hash(ScrapeTarget target) {
        long h = FNV_OFFSET;
        for (byte c : (target.labels() + target.url()).getBytes(StandardCharsets.UTF_8)) {
            h ^= c & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }
}
