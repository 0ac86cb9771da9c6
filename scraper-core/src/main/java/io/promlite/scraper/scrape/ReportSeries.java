package io.promlite.scraper.scrape;

import io.promlite.tsdb.AppendException;
import io.promlite.tsdb.Appender;
import io.promlite.tsdb.model.Labels;
import io.promlite.tsdb.model.StaleNaN;

/** The synthetic series Prometheus writes for every scrape, with their labels and refs kept. */
final class ReportSeries {
    private static final String[] NAMES = {
        "up",
        "scrape_duration_seconds",
        "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    };

    private final Labels[] labels = new Labels[NAMES.length];
    private final long[] refs = new long[NAMES.length];

    ReportSeries(SampleLabeler labeler) {
        for (int i = 0; i < NAMES.length; i++) {
            labels[i] = labeler.report(NAMES[i]);
        }
    }

    void append(Appender app, long timestamp, double up, double durationSeconds, double scraped,
                double postRelabeling, double seriesAdded) {
        append(app, 0, timestamp, up);
        append(app, 1, timestamp, durationSeconds);
        append(app, 2, timestamp, scraped);
        append(app, 3, timestamp, postRelabeling);
        append(app, 4, timestamp, seriesAdded);
    }

    /** Marks every report series stale: the target is gone. */
    void appendStale(Appender app, long timestamp) {
        for (int i = 0; i < NAMES.length; i++) {
            append(app, i, timestamp, StaleNaN.VALUE);
        }
    }

    private void append(Appender app, int series, long timestamp, double value) {
        try {
            refs[series] = app.append(refs[series], labels[series], timestamp, value);
        } catch (AppendException e) {
            // Only a clock jump makes the report itself out of order; the next scrape fixes it.
        }
    }
}
