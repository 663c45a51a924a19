package dev.bellwether.telemetry;

/** Telemetry could not be stored now: nothing was acknowledged, the client should send again later. */
public final class StorageUnavailableException extends RuntimeException {

    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
