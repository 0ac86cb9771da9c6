package io.promlite.tsdb;

/** A single sample rejected by the store, with Prometheus's error names. */
public final class AppendException extends Exception {
    public enum Reason {
        OUT_OF_ORDER("out of order sample"),
        DUPLICATE("duplicate sample for timestamp"),
        OUT_OF_BOUNDS("out of bounds");

        private final String message;

        Reason(String message) {
            this.message = message;
        }

        public String message() {
            return message;
        }
    }

    private final Reason reason;

    public AppendException(Reason reason) {
        // Rejections can be frequent (a misbehaving target); a stack trace would only cost time.
        super(reason.message(), null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
