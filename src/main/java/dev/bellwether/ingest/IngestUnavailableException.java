package dev.bellwether.ingest;

/** Storage is unavailable: nothing was acknowledged, the client should send again later. */
public final class IngestUnavailableException extends RuntimeException {

    public IngestUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
