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

    /** In words, for people reading a refusal or a decision. */
    String describe();

    record None() implements Actuation {
        @Override
        public String describe() {
            return "no change";
        }
    }

    record SetPercentage(int percentage) implements Actuation {
        @Override
        public String describe() {
            return "set the flag to " + percentage + " %";
        }
    }

    record TurnOff() implements Actuation {
        @Override
        public String describe() {
            return "turn the flag off";
        }
    }

    Actuation NONE = new None();
}
