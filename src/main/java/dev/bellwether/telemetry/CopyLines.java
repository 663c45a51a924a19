package dev.bellwether.telemetry;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import org.postgresql.copy.CopyIn;

/**
 * Rows in {@code COPY}'s text format, written straight as UTF-8 bytes: no text is built only to be encoded again.
 * Texts escape the delimiter, line ends and the escape character (NUL is refused at ingest); timestamps are written in
 * ISO-8601 with nine fraction digits and {@code Z}, as {@link Instant#toString} would give the same instant.
 */
final class CopyLines {

    private static final int SECONDS_PER_DAY = 86_400;

    private byte[] bytes;
    private int size;

    CopyLines(int expectedBytes) {
        bytes = new byte[Math.max(64, expectedBytes)];
    }

    CopyLines number(long value) {
        if (value >= 0 && value < 10) {
            return ascii('0' + (int) value);
        }
        String digits = Long.toString(value);
        room(digits.length());
        for (int i = 0; i < digits.length(); i++) {
            bytes[size++] = (byte) digits.charAt(i);
        }
        return this;
    }

    CopyLines text(String text) {
        int length = text.length();
        room(length);
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80 || c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                // beyond ASCII, or to escape: the rest of the text the slow way
                escaped(text, i);
                return this;
            }
            bytes[size++] = (byte) c;
        }
        return this;
    }

    private void escaped(String text, int from) {
        StringBuilder rest = new StringBuilder(text.length() - from + 8);
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> rest.append("\\\\");
                case '\t' -> rest.append("\\t");
                case '\n' -> rest.append("\\n");
                case '\r' -> rest.append("\\r");
                default -> rest.append(c);
            }
        }
        byte[] encoded = rest.toString().getBytes(StandardCharsets.UTF_8);
        room(encoded.length);
        System.arraycopy(encoded, 0, bytes, size, encoded.length);
        size += encoded.length;
    }

    CopyLines timestamp(Instant at) {
        long day = Math.floorDiv(at.getEpochSecond(), SECONDS_PER_DAY);
        int secondOfDay = (int) Math.floorMod(at.getEpochSecond(), SECONDS_PER_DAY);
        LocalDate date = LocalDate.ofEpochDay(day);
        if (date.getYear() < 0 || date.getYear() > 9999) {
            return text(at.toString()); // not a time an event can have; the general form keeps it exact
        }
        room(30);
        digits(date.getYear(), 4);
        bytes[size++] = '-';
        digits(date.getMonthValue(), 2);
        bytes[size++] = '-';
        digits(date.getDayOfMonth(), 2);
        bytes[size++] = 'T';
        digits(secondOfDay / 3600, 2);
        bytes[size++] = ':';
        digits(secondOfDay / 60 % 60, 2);
        bytes[size++] = ':';
        digits(secondOfDay % 60, 2);
        bytes[size++] = '.';
        digits(at.getNano(), 9);
        bytes[size++] = 'Z';
        return this;
    }

    CopyLines tab() {
        return ascii('\t');
    }

    CopyLines endOfRow() {
        return ascii('\n');
    }

    /** Hands the rows to a {@code COPY … FROM STDIN} as they are, without a buffer of the driver's in between. */
    void writeTo(CopyIn copy) throws SQLException {
        copy.writeToCopy(bytes, 0, size);
    }

    /** What has been written, as text: for tests. */
    @Override
    public String toString() {
        return new String(bytes, 0, size, StandardCharsets.UTF_8);
    }

    private CopyLines ascii(int c) {
        room(1);
        bytes[size++] = (byte) c;
        return this;
    }

    private void digits(int value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            bytes[size + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        size += width;
    }

    private void room(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
