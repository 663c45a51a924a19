package dev.bellwether.journey;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AppJourneysTest {

    /** The rows SLOs, guards and SLI reports count; -1 is no row's journey. */
    @ParameterizedTest(name = "[{index}] journey {0}, declared id {1}: rollup journey {2}")
    @CsvSource(nullValues = "null", value = {
            "null,     null, null",
            "null,     7,    null",
            "other,    null, 0",
            "other,    7,    0",
            "checkout, 7,    7",
            "checkout, null, -1"})
    void aJourneyCountsItsOwnRollupRowsAndAnUnknownOneCountsNone(String journey, Long declaredId, Long rows) {
        assertThat(AppJourneys.rollupId(journey, declaredId)).isEqualTo(rows);
    }

    @Test
    void aRemovedJourneyKeepsTheRowsCountedUnderItAndANeverDeclaredOneReadsNone() {
        OffsetDateTime now = OffsetDateTime.parse("2026-12-01T00:00:00Z");
        AppJourneys journeys = AppJourneys.of(List.of(
                new Journey(3, "checkout", List.of("order.submit"), Criticality.CRITICAL, "api", now, null),
                new Journey(5, "search", List.of("search.*"), Criticality.NORMAL, "api", now, now)));

        assertThat(journeys.rollupIdOf("checkout")).isEqualTo(3L);
        assertThat(journeys.rollupIdOf("search")).isEqualTo(5L);
        assertThat(journeys.rollupIdOf("other")).isEqualTo(JourneyMatcher.OTHER_ID);
        assertThat(journeys.rollupIdOf("billing")).isEqualTo(AppJourneys.NO_ROLLUP_JOURNEY);
        assertThat(journeys.rollupIdOf(null)).isNull();
        // a removed journey's patterns no longer match new replays
        assertThat(journeys.matcher().journeyOf("search.run")).isEqualTo(JourneyMatcher.OTHER_ID);
    }
}
