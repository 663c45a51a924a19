package dev.bellwether.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelCapTest {

    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private static final Duration IDLE = Duration.ofMinutes(10);

    private final List<String> retired = new ArrayList<>();

    private LabelCap cap(int capacity) {
        return new LabelCap(capacity, IDLE, retired::add);
    }

    private static Instant at(int minutes) {
        return T0.plus(Duration.ofMinutes(minutes));
    }

    @Test
    void eachValueGetsItsOwnLabelUpToCapacity() {
        LabelCap cap = cap(3);

        assertThat(cap.label("r1", at(0))).isEqualTo("r1");
        assertThat(cap.label("r2", at(0))).isEqualTo("r2");
        assertThat(cap.label("r3", at(0))).isEqualTo("r3");
        assertThat(retired).isEmpty();
    }

    @Test
    void aValueAlreadyLabelledKeepsItsLabelWhenTheCapIsFull() {
        LabelCap cap = cap(2);
        cap.label("r1", at(0));
        cap.label("r2", at(0));

        assertThat(cap.label("r1", at(1))).isEqualTo("r1");
        assertThat(cap.label("r2", at(1))).isEqualTo("r2");
        assertThat(retired).isEmpty();
    }

    @ParameterizedTest(name = "a new value {0} min after the eldest was seen overflows")
    @CsvSource({"0", "1", "5", "9"})
    void aNewValueBeyondCapacityOverflowsWhileTheLeastRecentlySeenIsNotIdleLongEnough(int minutes) {
        LabelCap cap = cap(2);
        cap.label("r1", at(0));
        cap.label("r2", at(0));

        assertThat(cap.label("r3", at(minutes))).isEqualTo(LabelCap.OVERFLOW);
        assertThat(retired).isEmpty();
        assertThat(cap.label("r1", at(minutes))).isEqualTo("r1");
        assertThat(cap.label("r2", at(minutes))).isEqualTo("r2");
    }

    @Test
    void anOverflowedValueIsNotRememberedAndKeepsOverflowing() {
        LabelCap cap = cap(1);
        cap.label("r1", at(0));

        assertThat(cap.label("r2", at(1))).isEqualTo(LabelCap.OVERFLOW);
        assertThat(cap.label("r2", at(2))).isEqualTo(LabelCap.OVERFLOW);
        assertThat(cap.label("r2", at(9))).isEqualTo(LabelCap.OVERFLOW);
        assertThat(retired).isEmpty();
    }

    @ParameterizedTest(name = "idle for {0} min retires the eldest")
    @CsvSource({"10", "11", "60", "1440"})
    void aValueIdleForIdleBeforeRetireIsRetiredAndTheNewValueTakesItsPlace(int minutes) {
        LabelCap cap = cap(2);
        cap.label("r1", at(0));
        cap.label("r2", at(minutes));

        assertThat(cap.label("r3", at(minutes))).isEqualTo("r3");
        assertThat(retired).containsExactly("r1");
        // r3 now holds r1's place; r2 keeps its own, and the cap is full again
        assertThat(cap.label("r3", at(minutes))).isEqualTo("r3");
        assertThat(cap.label("r2", at(minutes))).isEqualTo("r2");
        assertThat(cap.label("r4", at(minutes))).isEqualTo(LabelCap.OVERFLOW);
    }

    @Test
    void aRetiredValueSeenAgainIsTreatedAsNew() {
        LabelCap cap = cap(1);
        cap.label("r1", at(0));
        assertThat(cap.label("r2", at(20))).isEqualTo("r2");

        assertThat(cap.label("r1", at(21))).isEqualTo(LabelCap.OVERFLOW);
        assertThat(cap.label("r1", at(30))).isEqualTo("r1");
        assertThat(retired).containsExactly("r1", "r2");
    }

    @Test
    void seeingAValueRefreshesItSoTheLeastRecentlySeenIsRetiredInstead() {
        LabelCap cap = cap(2);
        cap.label("r1", at(0));
        cap.label("r2", at(1));
        cap.label("r1", at(5)); // r1 is now the most recently seen

        assertThat(cap.label("r3", at(12))).isEqualTo("r3");
        assertThat(retired).containsExactly("r2");
        assertThat(cap.label("r1", at(12))).isEqualTo("r1");
    }

    @Test
    void aRefreshedValueIsNotRetiredUntilItHasBeenIdleAgain() {
        LabelCap cap = cap(1);
        cap.label("r1", at(0));
        cap.label("r1", at(8)); // refreshed: idle since minute 8

        assertThat(cap.label("r2", at(12))).isEqualTo(LabelCap.OVERFLOW);
        assertThat(retired).isEmpty();
        assertThat(cap.label("r2", at(18))).isEqualTo("r2");
        assertThat(retired).containsExactly("r1");
    }

    @Test
    void onlyTheLeastRecentlySeenValueIsRetiredWhenSeveralAreIdle() {
        LabelCap cap = cap(3);
        cap.label("r1", at(0));
        cap.label("r2", at(1));
        cap.label("r3", at(2));

        assertThat(cap.label("r4", at(30))).isEqualTo("r4");
        assertThat(retired).containsExactly("r1");
        assertThat(cap.label("r5", at(30))).isEqualTo("r5");
        assertThat(retired).containsExactly("r1", "r2");
    }
}
