package io.promlite.scraper.scrape;

import java.time.Duration;
import java.time.Instant;

/**
 * The outcome of a target's latest scrape.
 *
 * @param error null when the scrape succeeded
 */
public record ScrapeReport(Instant start, Duration duration, String error) {
    public boolean isUp() {
        return error == null;
    }
}
