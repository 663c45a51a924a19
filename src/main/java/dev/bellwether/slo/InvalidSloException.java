package dev.bellwether.slo;

/** An SLO that cannot be evaluated; {@code field} names the culprit. */
public final class InvalidSloException extends RuntimeException {

    private final String field;

    public InvalidSloException(String field, String message) {
        super(field + " " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
