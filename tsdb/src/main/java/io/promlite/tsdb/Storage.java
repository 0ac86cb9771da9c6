package io.promlite.tsdb;

/** The store: appenders write into it, queriers read from it. Thread-safe. */
public interface Storage extends Queryable, AutoCloseable {
    Appender appender();

    /** Flushes and releases everything; the store is unusable afterwards. */
    @Override
    void close();
}
