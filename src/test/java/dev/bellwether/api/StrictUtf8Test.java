package dev.bellwether.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StrictUtf8Test {

    @ParameterizedTest(name = "\"{0}\" is well-formed")
    @ValueSource(strings = {"", "plain ascii", "caf\u00e9", "\u20ac 100", "emoji \ud83d\ude00", "\uffff"})
    void wellFormedTextPasses(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertThat(StrictUtf8.firstMalformed(bytes, bytes.length)).isEqualTo(-1);
    }

    @ParameterizedTest(name = "{0} is refused at byte {1}")
    @CsvSource({
            "41c0ae, 1",       // overlong '.'
            "c080, 0",         // overlong NUL
            "e080af, 0",       // overlong three-byte form
            "f08080af, 0",     // overlong four-byte form
            "eda080, 0",       // a UTF-16 surrogate
            "f4908080, 0",     // beyond U+10FFFF
            "4142c3, 2",       // cut off
            "80, 0",           // a continuation byte without a lead
            "c341, 0",         // a lead without its continuation
            "ff, 0"})
    void malformedBytesAreFound(String hex, int offset) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        assertThat(StrictUtf8.firstMalformed(bytes, bytes.length)).isEqualTo(offset);
    }
}
