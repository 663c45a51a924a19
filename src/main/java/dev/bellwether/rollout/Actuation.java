package dev.bellwether.rollout;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** What a transition asks of the flag service. Stored and shown as {@code {"type": "set_percentage", "percentage": 5}}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Actuation.None.class, name = "none"),
    @JsonSubTypes.Type(value = Actuation.SetPercentage.class, name = "set_percentage"),
    @JsonSubTypes.Type(value = Actuation.TurnOff.class, name = "turn_off")})
public sealed interface Actuation {

    record None() implements Actuation {
    }

    record SetPercentage(int percentage) implements Actuation {
    }

    record TurnOff() implements Actuation {
    }

    Actuation NONE = new None();
}
