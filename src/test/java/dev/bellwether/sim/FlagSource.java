package dev.bellwether.sim;

import java.util.Map;

/** What a client's feature-flag SDK answers for it: the flags it runs with, as its beacons report them. */
public interface FlagSource {

    Map<String, Object> evaluate(String clientId);
}
