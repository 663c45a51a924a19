package dev.bellwether.console;

import java.util.List;

/**
 * What the app page shows: the SLIs of a window by release and by cohort, the SLOs with their transitions and burn
 * rates over time, and for admins the ingest keys and allowed origins. Every text in it is escaped by the template.
 */
public record AppPage(String app, String created, Window window, List<SliRow> byRelease, List<SliRow> byCohort,
                      SliRow total, List<Slo> slos, String historySpan, String chartJson, Admin admin, boolean mayCreateRollout) {

    /** The window chosen and the ones offered; {@code error} is the SLI API's refusal of the chosen one, or null. */
    public record Window(String chosen, List<String> offered, String from, String to, String error) {
    }

    /** The SLIs of one release, cohort (named by its flags) or of everything, as text ("—" where a ratio has no denominator). */
    public record SliRow(String name, String events, String replaySuccess, String deadLetters,
                         String syncP95, String stalenessP95, String conflictRate, String outboxP95,
                         String migrationFailures) {
    }

    /** One SLO with its state word, the burn rates of its last evaluation, its transitions and its hourly burn rates. */
    public record Slo(String name, String sli, String objective, String state, String reason, String burnRates,
                      String budgetLeft, String evaluatedAt, List<Transition> transitions, List<String> windows,
                      List<HistoryRow> history, String chartId) {
        public String cssClass() {
            return Overview.stateClass(state);
        }
    }

    public record Transition(String at, String from, String to, String reason) {
    }

    /** The burn rate of each window at the end of an hour, recomputed from the rollups. */
    public record HistoryRow(String at, List<String> burnRates) {
    }

    /**
     * Only for admins: the app's ingest keys and origins, with the key name and the origins text as typed when they
     * were refused.
     */
    public record Admin(List<Key> keys, String keyNameText, String keyNameError, String originsText, String originsError) {
    }

    /** What a person typed in one of the app page's forms and the API's refusal of it; null fields: nothing. */
    public record Typed(String keyName, String keyNameError, String origins, String originsError) {
        public static final Typed NOTHING = new Typed(null, null, null, null);

        public static Typed keyName(String typed, String error) {
            return new Typed(typed, error, null, null);
        }

        public static Typed origins(String typed, String error) {
            return new Typed(null, null, typed, error);
        }
    }

    /** An ingest key: its label (null: none), its display prefix, when it was created and revoked (null: active). */
    public record Key(long id, String name, String prefix, String created, String revoked) {
        public boolean active() {
            return revoked == null;
        }
    }
}
