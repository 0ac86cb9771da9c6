package io.promlite.scraper;

import io.promlite.tsdb.model.Labels;
import java.time.Duration;
import java.time.Instant;

/**
 * One active target as {@code /api/v1/targets} shows it.
 *
 * @param health             {@code "up"}, {@code "down"} or {@code "unknown"} (not scraped yet)
 * @param lastError          the last scrape's error, empty when it succeeded
 * @param lastScrape         when the last scrape started, or null before the first
 * @param lastScrapeDuration how long the last scrape took, zero before the first
 */
public record TargetStatus(String scrapePool, String scrapeUrl, Labels labels, Labels discoveredLabels,
                           String health, String lastError, Instant lastScrape, Duration lastScrapeDuration,
                           Duration scrapeInterval, Duration scrapeTimeout) {
}
