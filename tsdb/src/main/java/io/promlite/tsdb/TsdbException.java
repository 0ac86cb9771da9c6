package io.promlite.tsdb;

/** The store could not be opened or has failed; the message is meant for users. */
public final class TsdbException extends Exception {
    public enum Kind {
        /** Another process holds the data directory. */
        LOCKED,
        /** The on-disk data is damaged. */
        CORRUPT,
        /** Any other I/O failure. */
        IO
    }

    private final Kind kind;

    public TsdbException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
