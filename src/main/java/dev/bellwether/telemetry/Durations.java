package dev.bellwether.telemetry;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them: {@code 90s}, {@code 5m}, {@code 1h}, {@code 30d}, or ISO-8601 ({@code PT1H}). */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("^(\\d{1,9})(ms|s|m|h|d)$");

    private Durations() {
    }

    /** The short form when it is exact ({@code 30d}, {@code 6h}), else ISO-8601: what {@link #parse} reads back. */
    public static String format(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds > 0 && seconds % 86_400 == 0) {
            return duration.toDays() + "d";
        }
        return seconds > 0 && seconds % 3600 == 0 ? duration.toHours() + "h" : duration.toString();
    }

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a duration is required, such as 5m, 1h, 30d or PT1H");
        }
        Matcher shortForm = SHORT.matcher(text.trim());
        if (shortForm.matches()) {
            long amount = Long.parseLong(shortForm.group(1));
            return switch (shortForm.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; use forms such as 5m, 1h, 30d or PT1H");
        }
    }
}
