package io.promlite.promql.engine;

import io.promlite.promql.Annotations;
import io.promlite.promql.PromqlException;
import io.promlite.tsdb.Queryable;

/** Per-query state shared by every evaluator of one query: storage, limits and the query's own bounds. */
final class QueryContext {
    final Queryable storage;
    final long lookbackMs;
    final long queryStartMs;
    final long queryEndMs;
    final long queryStepMs;
    final Annotations annotations;
    /** Name-dropping operations only mark series; the names go when the result is returned. */
    final boolean delayNameRemoval;
    private final long deadlineNanos;
    private final long maxSamples;
    private long currentSamples;

    QueryContext(Queryable storage, long lookbackMs, long timeoutNanos, long maxSamples, long queryStartMs,
                 long queryEndMs, long queryStepMs, boolean delayNameRemoval, Annotations annotations) {
        this.delayNameRemoval = delayNameRemoval;
        this.annotations = annotations;
        this.storage = storage;
        this.lookbackMs = lookbackMs;
        this.deadlineNanos = System.nanoTime() + timeoutNanos;
        this.maxSamples = maxSamples;
        this.queryStartMs = queryStartMs;
        this.queryEndMs = queryEndMs;
        this.queryStepMs = queryStepMs;
    }

    void checkDeadline() {
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new PromqlException(PromqlException.Kind.TIMEOUT, "query timed out in query execution");
        }
    }

    long currentSamples() {
        return currentSamples;
    }

    /** Sets the number of samples held now; fails the query once it passes the limit. */
    void setCurrentSamples(long n) {
        currentSamples = n;
        if (n > maxSamples) {
            throw tooManySamples();
        }
    }

    /** Fails the query if {@code n} more samples could not be held. */
    void checkFits(long n) {
        if (n > maxSamples - currentSamples) {
            throw tooManySamples();
        }
    }

    private static PromqlException tooManySamples() {
        return new PromqlException(PromqlException.Kind.EXECUTION,
                "query processing would load too many samples into memory in query execution");
    }

    void addSamples(long n) {
        setCurrentSamples(currentSamples + n);
    }
}
