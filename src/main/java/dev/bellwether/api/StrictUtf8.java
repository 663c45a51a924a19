package dev.bellwether.api;

/**
 * Well-formed UTF-8 as RFC 3629 defines it. Jackson decodes overlong forms (0xC0 0xAE for '.') and encoded
 * surrogates without complaint, which lets two byte strings read as the same text; refuse them before parsing.
 */
public final class StrictUtf8 {

    private StrictUtf8() {
    }

    /** The offset of the first byte that does not start a well-formed character, or -1 if all of them do. */
    public static int firstMalformed(byte[] bytes, int length) {
        int i = 0;
        while (i < length) {
            int lead = bytes[i] & 0xff;
            if (lead < 0x80) {
                i++;
                continue;
            }
            int continuations;
            int secondLow = 0x80;
            int secondHigh = 0xbf;
            if (lead >= 0xc2 && lead <= 0xdf) {
                continuations = 1;
            } else if (lead >= 0xe0 && lead <= 0xef) {
                continuations = 2;
                if (lead == 0xe0) {
                    secondLow = 0xa0; // shorter forms are overlong
                } else if (lead == 0xed) {
                    secondHigh = 0x9f; // beyond are the UTF-16 surrogates
                }
            } else if (lead >= 0xf0 && lead <= 0xf4) {
                continuations = 3;
                if (lead == 0xf0) {
                    secondLow = 0x90;
                } else if (lead == 0xf4) {
                    secondHigh = 0x8f; // beyond U+10FFFF
                }
            } else {
                return i;
            }
            if (i + continuations >= length) {
                return i;
            }
            int second = bytes[i + 1] & 0xff;
            if (second < secondLow || second > secondHigh) {
                return i;
            }
            for (int k = 2; k <= continuations; k++) {
                int next = bytes[i + k] & 0xff;
                if (next < 0x80 || next > 0xbf) {
                    return i;
                }
            }
            i += continuations + 1;
        }
        return -1;
    }
}
