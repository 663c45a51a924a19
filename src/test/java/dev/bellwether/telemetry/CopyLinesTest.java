package dev.bellwether.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** COPY rows as bytes: texts escaped as COPY's text format wants, timestamps that read back as the same instant. */
class CopyLinesTest {

    static Stream<Arguments> texts() {
        return Stream.of(
                Arguments.of("plain-id-42", "plain-id-42"),
                Arguments.of("tab\there", "tab\\there"),
                Arguments.of("line\nbreak\r", "line\\nbreak\\r"),
                Arguments.of("back\\slash\\N", "back\\\\slash\\\\N"),
                Arguments.of("é✓ then\ttab", "é✓ then\\ttab"),
                Arguments.of("ascii then é✓", "ascii then é✓"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("texts")
    void textsAreEscapedAndWrittenAsUtf8(String text, String expected) {
        CopyLines line = new CopyLines(1).text(text).tab().number(7).endOfRow();

        assertThat(line.toString()).isEqualTo(expected + "\t7\n");
    }

    @Test
    void numbersOfEverySize() {
        CopyLines line = new CopyLines(1);
        for (long n : new long[] {0, 9, 10, 123_456_789_012L, -1, Long.MAX_VALUE, Long.MIN_VALUE}) {
            line.number(n).tab();
        }
        assertThat(line.toString()).isEqualTo("0\t9\t10\t123456789012\t-1\t9223372036854775807\t-9223372036854775808\t");
    }

    /** Random instants, whole seconds and fractions, before and after 1970: each reads back as itself. */
    @Test
    void timestampsReadBackAsTheSameInstant() {
        Random random = new Random(20261201);
        for (int i = 0; i < 20_000; i++) {
            Instant at = Instant.ofEpochSecond(random.nextLong(-62_135_596_800L, 253_402_300_799L),
                    random.nextBoolean() ? 0 : random.nextInt(1_000_000_000));
            String written = new CopyLines(1).timestamp(at).toString();
            assertThat(Instant.parse(written)).as(written).isEqualTo(at);
        }
        assertThat(new CopyLines(1).timestamp(Instant.parse("2026-11-25T09:05:03.120Z")).toString())
                .isEqualTo("2026-11-25T09:05:03.120000000Z");
    }
}
