package dev.bellwether.rollout;

import dev.bellwether.judge.GuardAction;
import dev.bellwether.slo.Sli;

/** A guard as given at creation and stored with the rollout: which indicator, and what a regression of it does. */
public record GuardSpec(Sli sli, GuardAction action) {
}
