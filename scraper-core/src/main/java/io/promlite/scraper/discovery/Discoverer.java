package io.promlite.scraper.discovery;

import java.time.Duration;
import java.util.List;

/** A source of target groups that can change over time (files, DNS, …). */
public interface Discoverer {
    /** How often {@link #refresh()} should run. */
    Duration checkInterval();

    /**
     * The source's current target groups. May block on I/O; never called concurrently. A source
     * that cannot be read keeps reporting its last good groups.
     */
    List<TargetGroup> refresh();
}
