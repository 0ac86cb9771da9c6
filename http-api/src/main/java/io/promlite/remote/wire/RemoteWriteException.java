package io.promlite.remote.wire;

/** A remote-write payload that cannot be decoded; nothing of it may be written. */
public final class RemoteWriteException extends Exception {
    public RemoteWriteException(String message) {
        super(message, null, false, false);
    }
}
