package dev.bellwether.rollout;

import java.util.List;

/**
 * What the flag service has, for people choosing a flag to roll out: its projects, a project's environments and its
 * flags. Each call is one bounded request; an outage or refusal is a {@link FlagControlException}.
 */
public interface FlagCatalog {

    /** Whether the flag service is configured at all; when not, every call fails with the reason. */
    boolean configured();

    /** The projects' ids, sorted. */
    List<String> projects() throws FlagControlException;

    /** The names of the environments enabled for the project, sorted. */
    List<String> environments(String project) throws FlagControlException;

    /** The names of the project's flags (archived ones left out), sorted. */
    List<String> flags(String project) throws FlagControlException;
}
