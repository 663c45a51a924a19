package dev.bellwether.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks on a rollout's decision audit ({@code GET /v1/rollouts/{id}/decisions}) shared by the replica tests. */
public final class RolloutAudit {

    private RolloutAudit() {
    }

    /**
     * The decisions' triggers in order, after asserting that no two decisions left the same position (state and step):
     * two replicas that both acted on one position would show here as a repeated position.
     */
    public static List<String> triggersOncePerPosition(JsonNode decisions) {
        List<String> triggers = new ArrayList<>();
        Set<String> fromPositions = new HashSet<>();
        for (JsonNode decision : decisions) {
            triggers.add(decision.get("trigger").asText());
            assertThat(fromPositions.add(decision.get("fromState").asText() + "/" + decision.get("fromStep").asInt()))
                    .as("one decision per position: " + decisions).isTrue();
        }
        return triggers;
    }
}
