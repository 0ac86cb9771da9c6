package io.promlite.promql;

/**
 * A query that could not be answered. The kind maps to Prometheus's API error types and
 * status codes.
 */
public class PromqlException extends RuntimeException {
    public enum Kind {
        /** The query does not parse or is ill-typed: {@code bad_data}, HTTP 400. */
        BAD_DATA,
        /** Evaluation failed (e.g. duplicate label sets, too many samples): {@code execution}, 422. */
        EXECUTION,
        /** The query ran past its timeout: {@code timeout}, 503. */
        TIMEOUT,
        /** The query was cancelled: {@code canceled}, 503. */
        CANCELED
    }

    private final Kind kind;

    public PromqlException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
