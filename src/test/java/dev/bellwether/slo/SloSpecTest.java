package dev.bellwether.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SloSpecTest {

    private static final Duration D30 = Duration.ofDays(30);

    private static SloSpec spec(String name, Sli sli, double objective, Duration period, Double threshold,
            Long minEvents) {
        return new SloSpec(name, sli, objective, period, threshold, minEvents);
    }

    private static InvalidSloException invalid(SloSpec spec) {
        InvalidSloException thrown = catchThrowableOfType(InvalidSloException.class, spec::validated);
        assertThat(thrown).as("validated() of %s", spec).isNotNull();
        return thrown;
    }

    // ---------------------------------------------------------------- accepted

    static Stream<Arguments> goodSpecs() {
        return Stream.of(
                Arguments.of("ratio SLI without threshold",
                        spec("checkout.replays", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null)),
                Arguments.of("every ratio SLI: dead letters",
                        spec("dead-letters", Sli.DEAD_LETTER_RATIO, 0.999, D30, null, null)),
                Arguments.of("every ratio SLI: conflicts",
                        spec("conflicts", Sli.CONFLICT_RATIO, 0.95, D30, null, null)),
                Arguments.of("every ratio SLI: migrations",
                        spec("migrations_v2", Sli.MIGRATION_FAILURE_RATIO, 0.5, D30, null, null)),
                Arguments.of("sync latency with thresholdMs",
                        spec("sync-p99", Sli.SYNC_LATENCY, 0.99, D30, 500.0, null)),
                Arguments.of("staleness with thresholdMs",
                        spec("fresh", Sli.STALENESS, 0.9, Duration.ofDays(7), 60_000.0, null)),
                Arguments.of("latency threshold 0 is a number >= 0",
                        spec("instant", Sli.SYNC_LATENCY, 0.99, D30, 0.0, null)),
                Arguments.of("outbox depth with threshold",
                        spec("outbox", Sli.OUTBOX_DEPTH, 0.99, D30, 20.0, null)),
                Arguments.of("outbox depth threshold 0",
                        spec("empty-outbox", Sli.OUTBOX_DEPTH, 0.9, D30, 0.0, null)),
                Arguments.of("minEvents 0", spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, 0L)),
                Arguments.of("minEvents 100", spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, 100L)),
                Arguments.of("shortest period 7d", spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99, Duration.ofDays(7), null, null)),
                Arguments.of("longest period 90d", spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99, Duration.ofDays(90), null, null)),
                Arguments.of("objective just above 0", spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.0001, D30, null, null)),
                Arguments.of("objective just below 1", spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99999, D30, null, null)),
                Arguments.of("one-character name", spec("0", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null)),
                Arguments.of("63-character name", spec("a" + "b".repeat(62), Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null)),
                Arguments.of("name with '.', '_' and '-'", spec("a.b_c-d.9", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("goodSpecs")
    void validSpecsPassValidationUnchanged(String description, SloSpec spec) {
        assertThat(spec.validated()).isSameAs(spec);
    }

    // ---------------------------------------------------------------- refused

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                Arguments.of("null name", spec(null, Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null), "name"),
                Arguments.of("empty name", spec("", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null), "name"),
                Arguments.of("upper-case name", spec("Checkout", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null), "name"),
                Arguments.of("name with a space", spec("check out", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null), "name"),
                Arguments.of("name starting with '-'", spec("-a", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null), "name"),
                Arguments.of("name starting with '.'", spec(".a", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null), "name"),
                Arguments.of("name starting with '_'", spec("_a", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null), "name"),
                Arguments.of("name with '/'", spec("a/b", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null), "name"),
                Arguments.of("name with a non-ASCII letter", spec("café", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null), "name"),
                Arguments.of("name with a trailing newline", spec("abc\n", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null), "name"),
                Arguments.of("64-character name", spec("a".repeat(64), Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, null), "name"),
                Arguments.of("null sli", spec("a", null, 0.99, D30, null, null), "sli"),
                Arguments.of("objective 0", spec("a", Sli.REPLAY_SUCCESS_RATIO, 0, D30, null, null), "objective"),
                Arguments.of("objective 1", spec("a", Sli.REPLAY_SUCCESS_RATIO, 1, D30, null, null), "objective"),
                Arguments.of("objective 1.5", spec("a", Sli.REPLAY_SUCCESS_RATIO, 1.5, D30, null, null), "objective"),
                Arguments.of("objective -0.1", spec("a", Sli.REPLAY_SUCCESS_RATIO, -0.1, D30, null, null), "objective"),
                Arguments.of("objective NaN", spec("a", Sli.REPLAY_SUCCESS_RATIO, Double.NaN, D30, null, null), "objective"),
                Arguments.of("objective infinite", spec("a", Sli.REPLAY_SUCCESS_RATIO, Double.POSITIVE_INFINITY, D30, null, null),
                        "objective"),
                Arguments.of("period null", spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99, null, null, null), "period"),
                Arguments.of("period 12h", spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99, Duration.ofHours(12), null, null), "period"),
                Arguments.of("period 1s short of 7d",
                        spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99, Duration.ofDays(7).minusSeconds(1), null, null), "period"),
                Arguments.of("period 1d, shorter than the 3d window",
                        spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99, Duration.ofDays(1), null, null), "period"),
                Arguments.of("objective so loose over 90d that no condition can fire",
                        spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.5, Duration.ofDays(90), null, null), "objective"),
                Arguments.of("period 91d", spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99, Duration.ofDays(91), null, null), "period"),
                Arguments.of("period 1s over 90d",
                        spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99, Duration.ofDays(90).plusSeconds(1), null, null), "period"),
                Arguments.of("period negative", spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99, Duration.ofDays(-30), null, null), "period"),
                Arguments.of("sync_latency without threshold", spec("a", Sli.SYNC_LATENCY, 0.99, D30, null, null), "thresholdMs"),
                Arguments.of("staleness without threshold", spec("a", Sli.STALENESS, 0.99, D30, null, null), "thresholdMs"),
                Arguments.of("outbox_depth without threshold", spec("a", Sli.OUTBOX_DEPTH, 0.99, D30, null, null), "threshold"),
                Arguments.of("sync_latency negative threshold", spec("a", Sli.SYNC_LATENCY, 0.99, D30, -1.0, null), "thresholdMs"),
                Arguments.of("staleness negative threshold", spec("a", Sli.STALENESS, 0.99, D30, -0.5, null), "thresholdMs"),
                Arguments.of("outbox_depth negative threshold", spec("a", Sli.OUTBOX_DEPTH, 0.99, D30, -1.0, null), "threshold"),
                Arguments.of("sync_latency NaN threshold", spec("a", Sli.SYNC_LATENCY, 0.99, D30, Double.NaN, null), "thresholdMs"),
                Arguments.of("outbox_depth infinite threshold",
                        spec("a", Sli.OUTBOX_DEPTH, 0.99, D30, Double.POSITIVE_INFINITY, null), "threshold"),
                Arguments.of("threshold on replay_success_ratio",
                        spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, 100.0, null), "threshold"),
                Arguments.of("threshold on dead_letter_ratio", spec("a", Sli.DEAD_LETTER_RATIO, 0.99, D30, 0.0, null), "threshold"),
                Arguments.of("threshold on conflict_ratio", spec("a", Sli.CONFLICT_RATIO, 0.99, D30, 5.0, null), "threshold"),
                Arguments.of("threshold on migration_failure_ratio",
                        spec("a", Sli.MIGRATION_FAILURE_RATIO, 0.99, D30, 5.0, null), "threshold"),
                Arguments.of("minEvents -1", spec("a", Sli.REPLAY_SUCCESS_RATIO, 0.99, D30, null, -1L), "minEvents"),
                Arguments.of("minEvents Long.MIN_VALUE",
                        spec("a", Sli.SYNC_LATENCY, 0.99, D30, 100.0, Long.MIN_VALUE), "minEvents"));
    }

    @ParameterizedTest(name = "[{index}] {0} is refused on {2}")
    @MethodSource("badSpecs")
    void invalidSpecsAreRefusedNamingTheField(String description, SloSpec spec, String field) {
        InvalidSloException thrown = invalid(spec);

        assertThat(thrown.field()).isEqualTo(field);
        assertThat(thrown).hasMessageStartingWith(field + " ");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({
            "REPLAY_SUCCESS_RATIO,    threshold",
            "DEAD_LETTER_RATIO,       threshold",
            "SYNC_LATENCY,            thresholdMs",
            "STALENESS,               thresholdMs",
            "CONFLICT_RATIO,          threshold",
            "MIGRATION_FAILURE_RATIO, threshold",
            "OUTBOX_DEPTH,            threshold"})
    void thresholdFieldIsThresholdMsForMillisecondIndicators(Sli sli, String field) {
        assertThat(SloSpec.thresholdField(sli)).isEqualTo(field);
    }

    @ParameterizedTest(name = "[{index}] objective {0}: message mentions {1}")
    @CsvSource({
            "1.0, no error budget",
            "1.5, no error budget",
            "0.0, between 0 and 1"})
    void objectiveMessageExplainsWhy(double objective, String fragment) {
        InvalidSloException thrown = invalid(spec("a", Sli.REPLAY_SUCCESS_RATIO, objective, D30, null, null));

        assertThat(thrown).hasMessageContaining(fragment);
    }

    @ParameterizedTest(name = "[{index}] objective {0} allows an error ratio of {1}")
    @CsvSource({
            "0.99,   0.01",
            "0.999,  0.001",
            "0.9,    0.1",
            "0.5,    0.5",
            "0.9995, 0.0005"})
    void allowedErrorRatioIsOneMinusObjective(double objective, double allowed) {
        SloSpec spec = spec("a", Sli.REPLAY_SUCCESS_RATIO, objective, D30, null, null).validated();

        assertThat(spec.allowedErrorRatio()).isCloseTo(allowed, within(1e-12));
    }
}
