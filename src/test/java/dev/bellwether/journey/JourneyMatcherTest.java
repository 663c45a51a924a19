package dev.bellwether.journey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JourneyMatcherTest {

    private static final Map<String, Long> IDS = Map.of("checkout", 1L, "orders", 2L, "notes", 3L, "everything", 4L);

    private static final JourneyMatcher MATCHER = new JourneyMatcher(List.of(
            new JourneyMatcher.Declared(2, "orders", List.of("order.*", "order")),
            new JourneyMatcher.Declared(1, "checkout", List.of("order.submit", "payment.*")),
            new JourneyMatcher.Declared(3, "notes", List.of("note*"))));

    /** The journey's id for the rollups, and its name for the Prometheus label: a declared name or other, nothing else. */
    @ParameterizedTest(name = "{0} maps to {1}")
    @CsvSource(nullValues = "NULL", value = {
        "order.submit, checkout",      // an exact name beats the wildcard of another journey, declared first
        "order.cancel, orders",
        "order, orders",               // exact
        "order., orders",              // 'order.*' matches anything after the dot, even nothing
        "orders.list, other",          // 'order.*' needs the dot
        "order.submit.retry, orders",  // exact means exact
        "payment.card, checkout",
        "payment, other",
        "note, notes",                 // 'note*' matches from 'note' on
        "notebook.open, notes",
        "Note.update, other",          // case matters, as in mutation names
        "'', other",
        "NULL, other"})                // a replay without a mutation name
    void theMostSpecificPatternWins(String mutation, String expected) {
        long id = MATCHER.journeyOf(mutation);
        assertThat(id).isEqualTo(expected.equals("other") ? JourneyMatcher.OTHER_ID : IDS.get(expected));
        assertThat(MATCHER.nameOf(id)).isEqualTo(expected);
    }

    @Test
    void aLoneWildcardCatchesEveryMutationThatNothingMoreSpecificDoes() {
        JourneyMatcher matcher = new JourneyMatcher(List.of(new JourneyMatcher.Declared(4, "everything", List.of("*")),
                new JourneyMatcher.Declared(1, "checkout", List.of("order.submit"))));
        assertThat(matcher.journeyOf("order.submit")).isEqualTo(1);
        assertThat(matcher.journeyOf("anything")).isEqualTo(4);
        assertThat(matcher.journeyOf(null)).isEqualTo(JourneyMatcher.OTHER_ID);
    }

    @Test
    void withoutJourneysEveryMutationIsOther() {
        assertThat(JourneyMatcher.NONE.journeyOf("order.submit")).isEqualTo(JourneyMatcher.OTHER_ID);
        assertThat(JourneyMatcher.NONE.isEmpty()).isTrue();
    }

    @Test
    void twoJourneysMayNotShareAPattern() {
        assertThat(JourneyMatcher.sharedPattern(List.of("a", "order.*"), List.of(List.of("b"), List.of("order.*"))))
                .contains("order.*");
        assertThat(JourneyMatcher.sharedPattern(List.of("order.*"), List.of(List.of("order*", "order.submit"))))
                .isEqualTo(Optional.empty());
    }

    @ParameterizedTest(name = "pattern {0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "order.*|",
        "*|",
        "order.submit|",
        "or*der|only as its last character",
        "**|only as its last character",
        "''|must not be empty"})
    void patternSyntax(String pattern, String problem) {
        if (problem == null) {
            assertThat(JourneyPattern.problem(pattern)).isNull();
        } else {
            assertThat(JourneyPattern.problem(pattern)).contains(problem);
        }
    }

    @Test
    void patternsAreAsLongAsMutationNamesAndHoldNoControlCharacters() {
        assertThat(JourneyPattern.problem("x".repeat(JourneyPattern.MAX_LENGTH))).isNull();
        assertThat(JourneyPattern.problem("x".repeat(JourneyPattern.MAX_LENGTH + 1))).contains("at most");
        assertThat(JourneyPattern.problem("order\n*")).contains("control");
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "Checkout|order.submit|name|lower-case",
        "other|order.submit|name|is the journey of mutations",
        "checkout||mutations|is required",
        "checkout|order.submit,order.submit|mutations[1]|twice",
        "checkout|order.submit,o*x|mutations[1]|last character"})
    void invalidSpecsNameTheField(String name, String patterns, String field, String why) {
        List<String> mutations = patterns == null ? List.of() : List.of(patterns.split(","));
        assertThatThrownBy(() -> new JourneySpec(name, mutations, Criticality.CRITICAL).validated())
                .isInstanceOfSatisfying(InvalidJourneyException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).contains(why);
                });
    }

    @Test
    void patternsPerJourneyAreBounded() {
        List<String> many = java.util.stream.IntStream.rangeClosed(0, JourneySpec.MAX_PATTERNS).mapToObj(i -> "m" + i).toList();
        assertThatThrownBy(() -> new JourneySpec("big", many, Criticality.NORMAL).validated())
                .isInstanceOfSatisfying(InvalidJourneyException.class, e -> assertThat(e.field()).isEqualTo("mutations"));
        assertThat(new JourneySpec("big", many.subList(0, JourneySpec.MAX_PATTERNS), Criticality.NORMAL).validated()).isNotNull();
    }

    @Test
    void criticalityIsRequiredAndOneOfThree() {
        assertThatThrownBy(() -> new JourneyDocument(List.of("a"), null).toSpec("j"))
                .isInstanceOfSatisfying(InvalidJourneyException.class, e -> assertThat(e.field()).isEqualTo("criticality"));
        assertThatThrownBy(() -> new JourneyDocument(List.of("a"), "urgent").toSpec("j"))
                .isInstanceOfSatisfying(InvalidJourneyException.class,
                        e -> assertThat(e.getMessage()).contains("critical, important, normal"));
        assertThat(new JourneyDocument(List.of("a"), "important").toSpec("j").criticality()).isEqualTo(Criticality.IMPORTANT);
    }
}
