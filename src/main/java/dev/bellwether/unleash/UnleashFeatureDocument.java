package dev.bellwether.unleash;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellwether.rollout.FlagRef;
import dev.bellwether.rollout.FlagState;
import dev.bellwether.unleash.RolloutStrategies.Strategy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the feature document of Unleash's Admin API ({@code GET /admin/projects/{project}/features/{flag}}): its
 * environments, their strategies and what they mean for the flag Bellwether steers.
 */
final class UnleashFeatureDocument {

    private UnleashFeatureDocument() {
    }

    static FlagState state(JsonNode feature, FlagRef flag) {
        Optional<JsonNode> environment = environment(feature, flag);
        if (environment.isEmpty()) {
            return new FlagState(true, false, null);
        }
        List<Strategy> strategies = new ArrayList<>();
        environment.get().path("strategies").forEach(strategy -> strategies.add(strategy(strategy)));
        Integer percentage = RolloutStrategies.steeredStrategy(strategies, flag.flag())
                .map(strategy -> strategy.disabled() ? 0 : RolloutStrategies.percentage(strategy.parameter(RolloutStrategies.ROLLOUT)))
                .orElse(null);
        return new FlagState(true, environment.get().path("enabled").asBoolean(false), percentage);
    }

    static Optional<JsonNode> environment(JsonNode feature, FlagRef flag) {
        for (JsonNode environment : feature.path("environments")) {
            if (flag.environment().equals(environment.path("name").asText())) {
                return Optional.of(environment);
            }
        }
        return Optional.empty();
    }

    static Strategy strategy(JsonNode json) {
        Map<String, String> parameters = new LinkedHashMap<>();
        json.path("parameters").properties().forEach(entry -> parameters.put(entry.getKey(),
                entry.getValue().isNull() ? null : entry.getValue().asText()));
        return new Strategy(json.path("id").asText(null), json.path("name").asText(null), parameters,
                json.path("disabled").asBoolean(false));
    }
}
