package dev.bellwether.slo;

/** The two numbers every SLO is made of: events that met the objective, out of the events that count. */
public record GoodValid(long good, long valid) {

    public static final GoodValid NONE = new GoodValid(0, 0);

    public GoodValid {
        if (good < 0 || valid < 0 || good > valid) {
            throw new IllegalArgumentException("need 0 <= good <= valid, got " + good + "/" + valid);
        }
    }

    public GoodValid plus(GoodValid other) {
        return new GoodValid(good + other.good, valid + other.valid);
    }

    public long bad() {
        return valid - good;
    }

    /** Share of valid events that were bad; null without valid events. */
    public Double errorRatio() {
        return valid == 0 ? null : (double) bad() / valid;
    }
}
