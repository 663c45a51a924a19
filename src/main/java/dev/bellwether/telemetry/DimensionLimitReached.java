package dev.bellwether.telemetry;

/** A beacon names a release or cohort its app does not have yet, and the app already has as many as it may. */
public class DimensionLimitReached extends RuntimeException {

    public enum Dimension { RELEASE, COHORT }

    private final Dimension dimension;

    public DimensionLimitReached(Dimension dimension, String message) {
        super(message, null, false, false);
        this.dimension = dimension;
    }

    public Dimension dimension() {
        return dimension;
    }
}
