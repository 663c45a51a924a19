package dev.bellwether.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bellwether.rollout.RolloutMachine.Move;
import dev.bellwether.rollout.RolloutMachine.Position;
import dev.bellwether.rollout.RolloutMachine.RefusedException;
import dev.bellwether.security.Role;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class RolloutMachineTest {

    /** The default steps: 1 %, 5 %, 25 %, 50 %, 100 %. */
    private static final List<Integer> STEPS = List.of(1, 5, 25, 50, 100);
    /** The step every started state is put at in the full table: 25 %, neither first nor last. */
    private static final int MID = 2;

    private static final Actuation NONE = Actuation.NONE;

    private static Actuation set(int percentage) {
        return new Actuation.SetPercentage(percentage);
    }

    private static Actuation off() {
        return new Actuation.TurnOff();
    }

    private static Position at(RolloutState state, int step) {
        return new Position(state, step);
    }

    /** Where each state sits in the full table: a draft has no step yet, all others are at the middle step. */
    private static Position from(RolloutState state) {
        return at(state, state == RolloutState.DRAFT ? -1 : MID);
    }

    // ------------------------------------------------------------------ the full transition table

    /**
     * Every allowed (state, trigger) with the position reached and the actuation asked of the flag service, each
     * from {@link #from(RolloutState)}. Everything not listed here must be refused.
     */
    private static final Map<RolloutState, Map<Trigger, Move>> ALLOWED = new EnumMap<>(RolloutState.class);

    private static void allow(RolloutState state, Trigger trigger, RolloutState to, int step, Actuation actuation) {
        ALLOWED.computeIfAbsent(state, s -> new EnumMap<>(Trigger.class)).put(trigger, new Move(at(to, step), actuation));
    }

    static {
        // draft: it can start, or be killed before anything was actuated
        allow(RolloutState.DRAFT, Trigger.START, RolloutState.RUNNING, 0, set(1));
        allow(RolloutState.DRAFT, Trigger.KILL, RolloutState.KILLED, -1, off());
        // running at 25 %
        allow(RolloutState.RUNNING, Trigger.PAUSE, RolloutState.PAUSED, MID, NONE);
        allow(RolloutState.RUNNING, Trigger.DRIFT, RolloutState.PAUSED, MID, NONE);
        allow(RolloutState.RUNNING, Trigger.ADVANCE, RolloutState.RUNNING, MID + 1, set(50));
        allow(RolloutState.RUNNING, Trigger.PROMOTE, RolloutState.PROMOTED, MID, set(100));
        allow(RolloutState.RUNNING, Trigger.ROLLBACK, RolloutState.ROLLED_BACK, MID, set(0));
        allow(RolloutState.RUNNING, Trigger.KILL, RolloutState.KILLED, MID, off());
        allow(RolloutState.RUNNING, Trigger.GUARD_KILL, RolloutState.KILLED, MID, off());
        allow(RolloutState.RUNNING, Trigger.GUARD_ROLLBACK, RolloutState.ROLLED_BACK, MID, set(0));
        allow(RolloutState.RUNNING, Trigger.GUARD_FREEZE, RolloutState.FROZEN, MID, NONE);
        // paused at 25 %
        allow(RolloutState.PAUSED, Trigger.RESUME, RolloutState.RUNNING, MID, set(25));
        allow(RolloutState.PAUSED, Trigger.PROMOTE, RolloutState.PROMOTED, MID, set(100));
        allow(RolloutState.PAUSED, Trigger.ROLLBACK, RolloutState.ROLLED_BACK, MID, set(0));
        allow(RolloutState.PAUSED, Trigger.KILL, RolloutState.KILLED, MID, off());
        // frozen at 25 % after a guard failed
        allow(RolloutState.FROZEN, Trigger.PAUSE, RolloutState.PAUSED, MID, NONE);
        allow(RolloutState.FROZEN, Trigger.DRIFT, RolloutState.PAUSED, MID, NONE);
        allow(RolloutState.FROZEN, Trigger.RESUME, RolloutState.RUNNING, MID, set(25));
        allow(RolloutState.FROZEN, Trigger.PROMOTE, RolloutState.PROMOTED, MID, set(100));
        allow(RolloutState.FROZEN, Trigger.ROLLBACK, RolloutState.ROLLED_BACK, MID, set(0));
        allow(RolloutState.FROZEN, Trigger.KILL, RolloutState.KILLED, MID, off());
        // finished: only the kill switch, and not twice
        allow(RolloutState.PROMOTED, Trigger.KILL, RolloutState.KILLED, MID, off());
        allow(RolloutState.ROLLED_BACK, Trigger.KILL, RolloutState.KILLED, MID, off());
    }

    private static Move allowed(RolloutState state, Trigger trigger) {
        return ALLOWED.getOrDefault(state, Map.of()).get(trigger);
    }

    /** All 7 × 11 (state, trigger) pairs. */
    static Stream<Arguments> everyStateAndTrigger() {
        List<Arguments> pairs = new ArrayList<>();
        for (RolloutState state : RolloutState.values()) {
            for (Trigger trigger : Trigger.values()) {
                pairs.add(Arguments.of(state, trigger));
            }
        }
        return pairs.stream();
    }

    @Test
    void theTableCoversSevenStatesTimesElevenTriggersOfWhichTwentyThreeAreAllowed() {
        assertThat(everyStateAndTrigger()).hasSize(77);
        assertThat(ALLOWED.values().stream().mapToInt(Map::size).sum()).isEqualTo(23);
    }

    @ParameterizedTest(name = "{0} --{1}-->")
    @MethodSource("everyStateAndTrigger")
    void everyStateAndTriggerEitherMovesAsTabledOrIsRefusedNamingTriggerAndState(RolloutState state, Trigger trigger)
            throws RefusedException {
        Move expected = allowed(state, trigger);
        if (expected != null) {
            assertThat(RolloutMachine.apply(from(state), trigger, STEPS)).isEqualTo(expected);
        } else {
            assertThatThrownBy(() -> RolloutMachine.apply(from(state), trigger, STEPS))
                    .isInstanceOf(RefusedException.class)
                    .hasMessageContaining(trigger.wireName())
                    .hasMessageContaining(state.name())
                    .hasMessageStartingWith(trigger.wireName() + " is not possible in state " + state);
        }
    }

    // ------------------------------------------------------------------ the moves named in the design

    @Test
    void startPutsADraftAtTheFirstStepAndSetsItsPercentage() throws RefusedException {
        assertThat(RolloutMachine.apply(at(RolloutState.DRAFT, -1), Trigger.START, STEPS))
                .isEqualTo(new Move(at(RolloutState.RUNNING, 0), set(1)));
    }

    @Test
    void startUsesTheRolloutsOwnFirstStep() throws RefusedException {
        assertThat(RolloutMachine.apply(at(RolloutState.DRAFT, -1), Trigger.START, List.of(10, 100)))
                .isEqualTo(new Move(at(RolloutState.RUNNING, 0), set(10)));
    }

    @ParameterizedTest(name = "advance from step {0} -> {1} at {2} %")
    @CsvSource({
            "0, RUNNING,  1, 5",
            "1, RUNNING,  2, 25",
            "2, RUNNING,  3, 50",
            "3, RUNNING,  4, 100",
            // at the last step (100 %) advancing promotes, keeping the step index
            "4, PROMOTED, 4, 100",
    })
    void advanceGoesToTheNextStepAndPromotesAtTheLast(int step, RolloutState to, int toStep, int percentage)
            throws RefusedException {
        assertThat(RolloutMachine.apply(at(RolloutState.RUNNING, step), Trigger.ADVANCE, STEPS))
                .isEqualTo(new Move(at(to, toStep), set(percentage)));
    }

    @Test
    void advanceAtTheLastStepPromotesToAHundredEvenWhenTheLastStepIsLower() throws RefusedException {
        assertThat(RolloutMachine.apply(at(RolloutState.RUNNING, 1), Trigger.ADVANCE, List.of(10, 50)))
                .isEqualTo(new Move(at(RolloutState.PROMOTED, 1), set(100)));
    }

    @ParameterizedTest(name = "resume {0} at step {1} re-asserts {2} %")
    @CsvSource({
            "PAUSED, 0, 1",
            "PAUSED, 1, 5",
            "PAUSED, 3, 50",
            "FROZEN, 2, 25",
            "FROZEN, 4, 100",
    })
    void resumeReassertsTheStepsPercentage(RolloutState state, int step, int percentage) throws RefusedException {
        assertThat(RolloutMachine.apply(at(state, step), Trigger.RESUME, STEPS))
                .isEqualTo(new Move(at(RolloutState.RUNNING, step), set(percentage)));
    }

    @ParameterizedTest(name = "drift pauses {0}")
    @EnumSource(value = RolloutState.class, names = {"RUNNING", "FROZEN"})
    void driftPausesARunningOrFrozenRolloutAtItsStepWithoutActuating(RolloutState state) throws RefusedException {
        assertThat(RolloutMachine.apply(at(state, 1), Trigger.DRIFT, STEPS))
                .isEqualTo(new Move(at(RolloutState.PAUSED, 1), NONE));
    }

    @ParameterizedTest(name = "drift refused in {0}")
    @EnumSource(value = RolloutState.class, names = {"RUNNING", "FROZEN"}, mode = EnumSource.Mode.EXCLUDE)
    void driftIsRefusedOutsideRunningAndFrozen(RolloutState state) {
        assertThatThrownBy(() -> RolloutMachine.apply(from(state), Trigger.DRIFT, STEPS))
                .isInstanceOf(RefusedException.class)
                .hasMessageContaining("drift")
                .hasMessageContaining(state.name());
    }

    @ParameterizedTest(name = "{0} from RUNNING -> {1}")
    @CsvSource({
            "GUARD_KILL,     KILLED",
            "GUARD_ROLLBACK, ROLLED_BACK",
            "GUARD_FREEZE,   FROZEN",
    })
    void guardTriggersActOnARunningRollout(Trigger trigger, RolloutState to) throws RefusedException {
        assertThat(RolloutMachine.apply(at(RolloutState.RUNNING, 3), trigger, STEPS).to()).isEqualTo(at(to, 3));
    }

    static Stream<Arguments> guardTriggersOutsideRunning() {
        return Stream.of(Trigger.GUARD_KILL, Trigger.GUARD_ROLLBACK, Trigger.GUARD_FREEZE)
                .flatMap(trigger -> EnumSet.complementOf(EnumSet.of(RolloutState.RUNNING)).stream()
                        .map(state -> Arguments.of(trigger, state)));
    }

    @ParameterizedTest(name = "{0} refused in {1}")
    @MethodSource("guardTriggersOutsideRunning")
    void guardTriggersAreRefusedOutsideRunning(Trigger trigger, RolloutState state) {
        assertThatThrownBy(() -> RolloutMachine.apply(from(state), trigger, STEPS))
                .isInstanceOf(RefusedException.class)
                .hasMessageContaining(trigger.wireName())
                .hasMessageContaining(state.name())
                .hasMessageContaining("guards act on running rollouts only");
    }

    @Test
    void killSwitchesOffAPromotedFlag() throws RefusedException {
        assertThat(RolloutMachine.apply(at(RolloutState.PROMOTED, 4), Trigger.KILL, STEPS))
                .isEqualTo(new Move(at(RolloutState.KILLED, 4), off()));
    }

    @Test
    void killIsRefusedWhenTheFlagIsAlreadyOff() {
        assertThatThrownBy(() -> RolloutMachine.apply(at(RolloutState.KILLED, 2), Trigger.KILL, STEPS))
                .isInstanceOf(RefusedException.class)
                .hasMessage("kill is not possible in state KILLED: the flag is already off");
    }

    // ------------------------------------------------------------------ expected percentage

    @ParameterizedTest(name = "{0} at step {1} -> {2}")
    @CsvSource(nullValues = "null", value = {
            "DRAFT,       -1, null",
            "RUNNING,      0, 1",
            "RUNNING,      2, 25",
            "PAUSED,       1, 5",
            "PAUSED,       3, 50",
            "FROZEN,       2, 25",
            "FROZEN,       4, 100",
            "PROMOTED,     2, 100",
            "ROLLED_BACK,  2, 0",
            "KILLED,       2, null",
            "KILLED,      -1, null",
    })
    void expectedPercentageIsTheStepsWhileActiveAndFixedOnceFinished(RolloutState state, int step, Integer expected) {
        assertThat(RolloutMachine.expectedPercentage(at(state, step), STEPS)).isEqualTo(expected);
    }

    @Test
    void expectedPercentageIsDefinedForEveryState() {
        for (RolloutState state : RolloutState.values()) {
            Position position = from(state);
            Integer expected = switch (state) {
                case DRAFT, KILLED -> null;
                case RUNNING, PAUSED, FROZEN -> 25;
                case PROMOTED -> 100;
                case ROLLED_BACK -> 0;
            };
            assertThat(RolloutMachine.expectedPercentage(position, STEPS)).as(state.name()).isEqualTo(expected);
        }
    }

    @Test
    void everyAllowedMoveLandsWhereItsActuationPutsTheFlag() {
        // what a move actuates is what expectedPercentage then expects (or nothing to set: NONE keeps it, off is null)
        ALLOWED.forEach((state, moves) -> moves.forEach((trigger, move) -> {
            Integer after = RolloutMachine.expectedPercentage(move.to(), STEPS);
            if (move.actuation() instanceof Actuation.SetPercentage set) {
                assertThat(after).as(state + " --" + trigger).isEqualTo(set.percentage());
            } else if (move.actuation() instanceof Actuation.TurnOff) {
                assertThat(after).as(state + " --" + trigger).isNull();
            } else {
                assertThat(after).as(state + " --" + trigger)
                        .isEqualTo(RolloutMachine.expectedPercentage(from(state), STEPS));
            }
        }));
    }

    @ParameterizedTest(name = "{0} finished: {1}")
    @CsvSource({
            "DRAFT, false", "RUNNING, false", "PAUSED, false", "FROZEN, false",
            "PROMOTED, true", "ROLLED_BACK, true", "KILLED, true",
    })
    void finishedStatesArePromotedRolledBackAndKilled(RolloutState state, boolean finished) {
        assertThat(state.finished()).isEqualTo(finished);
    }

    // ------------------------------------------------------------------ who may give which trigger

    private static final Map<Role, Set<Trigger>> MAY_GIVE = Map.of(
            Role.VIEWER, EnumSet.noneOf(Trigger.class),
            Role.RELEASE_MANAGER, EnumSet.of(Trigger.START, Trigger.PAUSE, Trigger.RESUME, Trigger.PROMOTE, Trigger.ROLLBACK),
            Role.ON_CALL, EnumSet.of(Trigger.PAUSE, Trigger.KILL),
            Role.ADMIN, EnumSet.of(Trigger.START, Trigger.PAUSE, Trigger.RESUME, Trigger.PROMOTE, Trigger.ROLLBACK,
                    Trigger.KILL));

    static Stream<Arguments> everyRoleAndTrigger() {
        List<Arguments> pairs = new ArrayList<>();
        for (Role role : Role.values()) {
            for (Trigger trigger : Trigger.values()) {
                pairs.add(Arguments.of(role, trigger, MAY_GIVE.get(role).contains(trigger)));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} may give {1}: {2}")
    @MethodSource("everyRoleAndTrigger")
    void eachRoleMayGiveOnlyItsTriggers(Role role, Trigger trigger, boolean allowed) {
        assertThat(trigger.allows(role)).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "{0} human: {1}")
    @CsvSource({
            "START, true", "PAUSE, true", "RESUME, true", "PROMOTE, true", "ROLLBACK, true", "KILL, true",
            "ADVANCE, false", "GUARD_KILL, false", "GUARD_ROLLBACK, false", "GUARD_FREEZE, false", "DRIFT, false",
    })
    void onlyPeoplesCommandsAreHumanAndControllerFindingsAreGivenByNobody(Trigger trigger, boolean human) {
        assertThat(trigger.human()).isEqualTo(human);
        if (!human) {
            for (Role role : Role.values()) {
                assertThat(trigger.allows(role)).as(role + " giving " + trigger).isFalse();
            }
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "START, start", "GUARD_KILL, guard_kill", "GUARD_ROLLBACK, guard_rollback", "DRIFT, drift",
    })
    void wireNameIsTheLowerCaseName(Trigger trigger, String wire) {
        assertThat(trigger.wireName()).isEqualTo(wire);
    }
}
