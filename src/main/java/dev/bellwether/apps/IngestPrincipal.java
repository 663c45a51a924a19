package dev.bellwether.apps;

import java.util.Set;

/** What an ingest key grants: beacons for one app, from these browser origins, at this rate (null: default). */
public record IngestPrincipal(long keyId, long appId, String appName, Set<String> allowedOrigins, Integer beaconsPerSecond) {

    public boolean allowsOrigin(String origin) {
        return allowedOrigins.contains("*") || allowedOrigins.contains(origin);
    }
}
