package dev.bellwether.rollout;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.judge.GuardAction;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * A guard action in JSON is its wire name ("kill"), in requests, stored rollouts and verdicts. The judge knows
 * nothing of JSON, so the mapping is attached here, as a Jackson mix-in on the application's ObjectMapper.
 */
@Singleton
public class GuardActionJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.addMixIn(GuardAction.class, WireName.class);
    }

    /** Jackson reads the annotations of these members as if they were on {@link GuardAction}'s. */
    abstract static class WireName {

        @JsonValue
        abstract String wireName();

        @JsonCreator
        static GuardAction fromWireName(String wireName) {
            return GuardAction.fromWireName(wireName);
        }
    }
}
