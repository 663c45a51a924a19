package dev.bellwether.console;

import dev.bellwether.judge.GuardAction;
import dev.bellwether.rollout.GuardSpec;
import dev.bellwether.slo.Sli;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The create-rollout form: what Unleash offers to pick from, the app's journeys a guard may name, what the person
 * entered (kept as typed when refused), and the API's refusals by form field, each shown beside its field.
 */
public record NewRolloutForm(String app, Choices choices, Journeys journeys, Entered entered, Map<String, String> errors) {

    /** Rows of the guard editor; a row left empty adds no guard. */
    static final int GUARD_ROWS = 3;

    private static final Pattern GUARD_JOURNEY = Pattern.compile("guards\\[(\\d{1,2})]\\.journey");

    /**
     * What the flag service has; a list is null when it could not be read, and {@code note} says why (then the
     * person types the names).
     */
    public record Choices(List<String> projects, List<String> environments, List<String> flags, String note) {
    }

    /**
     * The app's journeys in force, by name, then {@code other}; the names of the critical ones, each of which gets the
     * default guard ({@code defaultSli} → {@code defaultAction}) unless the person leaves those out.
     */
    public record Journeys(List<JourneyChoice> offered, List<String> critical, String defaultSli, String defaultAction) {
    }

    /** A journey a guard may name; {@code criticality} is null for {@code other}. */
    public record JourneyChoice(String name, String criticality) {
        public String label() {
            return criticality == null ? name + " (replays no journey matches)" : name + " (" + criticality + ")";
        }
    }

    /** The form's fields as text, as the person sent them (or the defaults on a fresh form). */
    public record Entered(String project, String environment, String flag, String steps, String bake, String minSample,
                          List<GuardRow> guards, boolean criticalJourneyGuards, boolean dryRun) {

        /** The rows that make a guard, in order: the API's {@code guards[i]} is the i-th of them. */
        public List<GuardRow> filledGuards() {
            return guards.stream().filter(row -> !row.isEmpty()).toList();
        }
    }

    /** A row of the guard editor; an empty {@code journey} is the whole app. */
    public record GuardRow(int index, String sli, String journey, String action) {
        /** The row's number as people count. */
        public int number() {
            return index + 1;
        }

        /** The form field of the row's journey, by which its refusal is shown beside it. */
        public String journeyField() {
            return "guard-journey-" + index;
        }

        boolean isEmpty() {
            return sli.isBlank() && journey.isBlank() && action.isBlank();
        }
    }

    public List<String> slis() {
        return Arrays.stream(Sli.values()).map(Sli::wireName).toList();
    }

    /** The indicators a guard may narrow to a journey. */
    public String journeyIndicators() {
        return GuardSpec.JOURNEY_INDICATORS.stream().map(Sli::wireName).collect(Collectors.joining(", "));
    }

    public List<String> actions() {
        return Arrays.stream(GuardAction.values()).map(GuardAction::wireName).toList();
    }

    public String error(String field) {
        return errors.get(field);
    }

    public boolean hasError(String field) {
        return errors.containsKey(field);
    }

    /** A journey the row names that the form does not offer (removed since, or sent by hand): kept as sent. */
    public boolean journeyUnlisted(GuardRow row) {
        return !row.journey().isEmpty() && journeys.offered().stream().noneMatch(j -> j.name().equals(row.journey()));
    }

    /** Guard rows as entered, padded with empty rows to {@link #GUARD_ROWS}. */
    static List<GuardRow> guardRows(List<String> slis, List<String> journeys, List<String> actions) {
        List<GuardRow> rows = new ArrayList<>();
        int entered = Math.max(size(slis), Math.max(size(journeys), size(actions)));
        for (int i = 0; i < Math.max(GUARD_ROWS, entered); i++) {
            rows.add(new GuardRow(i, valueAt(slis, i), valueAt(journeys, i), valueAt(actions, i)));
        }
        return rows;
    }

    /**
     * The form field an API field belongs to: {@code steps[2]} → steps, {@code guards[0]} → guards, and
     * {@code guards[1].journey} → the journey of the row that made the second guard.
     */
    static String formField(String apiField, Entered entered) {
        if (apiField == null) {
            return "form";
        }
        Matcher journey = GUARD_JOURNEY.matcher(apiField);
        if (journey.matches()) {
            List<GuardRow> filled = entered.filledGuards();
            int guard = Integer.parseInt(journey.group(1));
            return guard < filled.size() ? filled.get(guard).journeyField() : "guards";
        }
        int end = apiField.length();
        for (char separator : new char[] {'[', '.'}) {
            int at = apiField.indexOf(separator);
            if (at >= 0) {
                end = Math.min(end, at);
            }
        }
        String field = apiField.substring(0, end);
        return switch (field) {
            case "flag", "project", "environment", "steps", "bake", "guards", "criticalJourneyGuards", "dryRun" -> field;
            case "minSamplePerCohort" -> "minSample";
            default -> "form";
        };
    }

    static Map<String, String> noErrors() {
        return new LinkedHashMap<>();
    }

    private static int size(List<String> values) {
        return values == null ? 0 : values.size();
    }

    private static String valueAt(List<String> values, int index) {
        return values != null && index < values.size() && values.get(index) != null ? values.get(index) : "";
    }
}
