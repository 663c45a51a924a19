package dev.bellwether.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The digit-by-digit path gives what the general formatters give, and leaves to them every shape it does not know. */
class IsoInstantTest {

    /** What events' timestamps were read by before the digit-by-digit path: ISO_INSTANT, else ISO_OFFSET_DATE_TIME. */
    private static Instant general(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(text).toInstant();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"2026-11-25T11:00:00Z", "2026-11-25T11:00:00.1Z", "2026-11-25T11:00:00.123Z",
        "2026-11-25T11:00:00.123456789Z", "2026-11-25T11:00:00+01:00", "2026-11-25T06:30:00.5-05:00",
        "2026-11-25T11:00:00+00:00", "2026-11-25T11:00:00-00:00", "2024-02-29T23:59:59.999+17:59", "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999-17:59", "1969-12-31T23:59:59.9Z"})
    void theCommonShapeGivesTheGeneralFormattersInstant(String text) {
        assertThat(IsoInstant.commonShape(text)).as("read digit by digit").isNotNull().isEqualTo(general(text));
        assertThat(IsoInstant.parse(text)).isEqualTo(general(text));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"2026-11-25t11:00:00z", "2026-11-25T11:00Z", "2026-11-25T11:00:00+01", "2026-11-25T11:00:00+01:00:30",
        "+12026-11-25T11:00:00Z", "2026-11-25T23:59:60Z", "2026-11-25T24:00:00Z", "2026-11-25T11:00:00.1234567891Z", "2026-11-25T11:00:00+18:00",
        "2026-11-25T11:00:00.Z"})
    void otherShapesAreLeftToTheGeneralFormatter(String text) {
        assertThat(IsoInstant.commonShape(text)).isNull();
        Instant general;
        try {
            general = general(text);
        } catch (DateTimeParseException e) {
            assertThatThrownBy(() -> IsoInstant.parse(text)).isInstanceOf(DateTimeParseException.class);
            return;
        }
        assertThat(IsoInstant.parse(text)).isEqualTo(general);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"2026-02-30T11:00:00Z", "2026-13-01T11:00:00Z", "2026-11-25T11:60:00Z",
        "2026-11-25 11:00:00Z", "2026-11-25T11:00:00", "2026-11-25T11:00:00+1:00", "2026-1l-25T11:00:00Z", "2026-11-25T11:00:00ZZ",
        "yesterday", ""})
    void whatNeitherAcceptsIsRefused(String text) {
        assertThat(IsoInstant.commonShape(text)).isNull();
        assertThatThrownBy(() -> IsoInstant.parse(text)).isInstanceOf(DateTimeParseException.class);
    }

    /** Random instants, fractions of 0 to 9 digits and offsets, written as SDKs write them: both paths agree. */
    @Test
    void randomTimestampsReadAsTheGeneralFormatterReadsThem() {
        Random random = new Random(20261201);
        for (int i = 0; i < 20_000; i++) {
            long second = random.nextLong(-62_135_596_800L, 253_402_300_799L);
            int digits = random.nextInt(10);
            int nanos = digits == 0 ? 0 : random.nextInt(1_000_000_000);
            ZoneOffset offset = ZoneOffset.ofTotalSeconds(random.nextInt(-17 * 60, 17 * 60 + 1) * 60);
            OffsetDateTime at = Instant.ofEpochSecond(second, nanos).atOffset(offset);
            if (at.getYear() < 0 || at.getYear() > 9999) {
                continue;
            }
            String text = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").format(at)
                    + (digits == 0 ? "" : "." + String.format("%09d", at.getNano()).substring(0, digits))
                    + (offset.getTotalSeconds() == 0 && random.nextBoolean() ? "Z" : offset.getId().replace("Z", "+00:00"));
            assertThat(IsoInstant.parse(text)).as(text).isEqualTo(general(text));
            assertThat(IsoInstant.commonShape(text)).as(text).isNotNull();
        }
    }
}
