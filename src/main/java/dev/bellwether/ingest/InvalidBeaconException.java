package dev.bellwether.ingest;

/** The envelope of a beacon is malformed: nothing of it is stored. {@code field} names the culprit (may be null). */
public final class InvalidBeaconException extends RuntimeException {

    private final String field;

    public InvalidBeaconException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
