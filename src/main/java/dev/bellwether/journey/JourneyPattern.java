package dev.bellwether.journey;

/**
 * The pattern syntax: a mutation name matched exactly, or a prefix followed by one {@code *} at the very end, which
 * matches every mutation starting with that prefix ({@code order.*} matches {@code order.submit}, not {@code order};
 * {@code *} alone matches every mutation). No other character is special.
 */
public final class JourneyPattern {

    /** As long as a mutation name may be in a beacon. */
    public static final int MAX_LENGTH = 128;
    static final char WILDCARD = '*';

    private JourneyPattern() {
    }

    /** Why the pattern is not one, or null when it is. */
    public static String problem(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            return "must not be empty";
        }
        if (pattern.length() > MAX_LENGTH) {
            return "may be at most " + MAX_LENGTH + " characters, as a mutation name";
        }
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (Character.isISOControl(c)) {
                return "must not contain control characters";
            }
            if (c == WILDCARD && i != pattern.length() - 1) {
                return "may have '*' only as its last character (a prefix wildcard), got '" + pattern + "'";
            }
        }
        return null;
    }

    public static boolean isPrefix(String pattern) {
        return pattern.charAt(pattern.length() - 1) == WILDCARD;
    }

    /** The prefix a wildcard pattern matches; empty for {@code *}. */
    public static String prefix(String pattern) {
        return pattern.substring(0, pattern.length() - 1);
    }
}
