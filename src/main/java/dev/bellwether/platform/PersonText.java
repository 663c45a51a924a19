package dev.bellwether.platform;

/**
 * The one rule for text a person writes (names, reasons), wherever it arrives: PostgreSQL cannot store NUL, and no
 * such text needs a control character other than a tab or a line break.
 */
public final class PersonText {

    private PersonText() {
    }

    /** The first character the rule refuses, or -1 when there is none. */
    public static int firstControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                return c;
            }
        }
        return -1;
    }
}
