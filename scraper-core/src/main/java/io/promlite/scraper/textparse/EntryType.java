package io.promlite.scraper.textparse;

/** What the parser found on the line it just read. */
public enum EntryType {
    /** A sample: series, value and optional timestamp. */
    SERIES,
    /** {@code # HELP name text}. */
    HELP,
    /** {@code # TYPE name type}. */
    TYPE,
    /** {@code # UNIT name unit} (OpenMetrics). */
    UNIT,
    /** Any other {@code #} line (Prometheus text only). */
    COMMENT,
    /** The end of the body. */
    EOF
}
