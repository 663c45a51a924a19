package dev.bellwether.rollout;

/** What a transition asks of the flag service. */
public sealed interface Actuation {

    record None() implements Actuation {
    }

    record SetPercentage(int percentage) implements Actuation {
    }

    record TurnOff() implements Actuation {
    }

    Actuation NONE = new None();
}
