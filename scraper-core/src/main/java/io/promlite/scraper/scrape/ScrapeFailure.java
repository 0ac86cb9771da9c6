package io.promlite.scraper.scrape;

/** A scrape that produced no usable body; the message is what the target's lastError shows. */
class ScrapeFailure extends Exception {
    ScrapeFailure(String message) {
        // Failures are routine (a target is down); a stack trace would only cost time.
        super(message, null, false, false);
    }
}
