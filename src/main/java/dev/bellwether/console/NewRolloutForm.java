package dev.bellwether.console;

import dev.bellwether.judge.GuardAction;
import dev.bellwether.slo.Sli;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The create-rollout form: what Unleash offers to pick from, what the person entered (kept as typed when refused), and
 * the API's refusals by form field, each shown beside its field.
 */
public record NewRolloutForm(String app, Choices choices, Entered entered, Map<String, String> errors) {

    /** Rows of the guard editor; a row left empty adds no guard. */
    static final int GUARD_ROWS = 3;

    /**
     * What the flag service has; a list is null when it could not be read, and {@code note} says why (then the
     * person types the names).
     */
    public record Choices(List<String> projects, List<String> environments, List<String> flags, String note) {
    }

    /** The form's fields as text, as the person sent them (or the defaults on a fresh form). */
    public record Entered(String project, String environment, String flag, String steps, String bake, String minSample,
                          List<GuardRow> guards, boolean dryRun) {
    }

    public record GuardRow(int index, String sli, String action) {
        /** The row's number as people count. */
        public int number() {
            return index + 1;
        }
    }

    public List<String> slis() {
        return Arrays.stream(Sli.values()).map(Sli::wireName).toList();
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

    /** Guard rows as entered, padded with empty rows to {@link #GUARD_ROWS}. */
    static List<GuardRow> guardRows(List<String> slis, List<String> actions) {
        List<GuardRow> rows = new ArrayList<>();
        int entered = Math.max(slis == null ? 0 : slis.size(), actions == null ? 0 : actions.size());
        for (int i = 0; i < Math.max(GUARD_ROWS, entered); i++) {
            rows.add(new GuardRow(i, valueAt(slis, i), valueAt(actions, i)));
        }
        return rows;
    }

    /** The form field an API field belongs to: {@code steps[2]} → steps, {@code guards[0]} → guards. */
    static String formField(String apiField) {
        if (apiField == null) {
            return "form";
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
            case "flag", "project", "environment", "steps", "bake", "guards", "dryRun" -> field;
            case "minSamplePerCohort" -> "minSample";
            default -> "form";
        };
    }

    static Map<String, String> noErrors() {
        return new LinkedHashMap<>();
    }

    private static String valueAt(List<String> values, int index) {
        return values != null && index < values.size() && values.get(index) != null ? values.get(index) : "";
    }
}
