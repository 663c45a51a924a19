package dev.bellwether.sdk;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The headless demo of the example PWA: starts PostgreSQL, a real Unleash, the packaged Bellwether and
 * {@code examples/field-notes}, drives the app in headless Chromium through an offline edit, a conflict, a dead letter
 * and a migration ({@link FieldNotesTour}), and prints what the app recorded and the SLIs Bellwether serves. Run with
 * {@code ./mvnw -q -DskipTests package exec:java@field-notes}; {@code -Dfield-notes.linger=600} keeps everything up
 * that many seconds afterwards, to look around.
 */
public final class FieldNotesDemo {

    private static final Instant BEGAN = Instant.now();

    public static void main(String[] args) throws Exception {
        try (FieldNotesTour tour = new FieldNotesTour(FieldNotesDemo::say)) {
            say("starting PostgreSQL, Unleash (installed from npm on first use), Bellwether and the field-notes server");
            tour.start();
            List<Map<String, Object>> recorded = tour.run();
            say("the app recorded " + recorded.size() + " events:");
            for (Map<String, Object> event : recorded) {
                System.out.println("    " + event);
            }
            ObjectMapper json = new ObjectMapper();
            tour.awaitSli(recorded);
            say("GET " + tour.serviceUrl() + "/v1/apps/field-notes/sli?window=1h&flag=" + FieldNotesTour.FLAG + " → "
                    + json.writerWithDefaultPrettyPrinter().writeValueAsString(tour.sli(FieldNotesTour.FLAG)));
            long linger = Long.getLong("field-notes.linger", 0);
            if (linger > 0) {
                say("keeping everything up for " + linger + " s (admin token " + tour.adminToken() + ")");
                Thread.sleep(Duration.ofSeconds(linger).toMillis());
            }
        }
        say("done");
        System.exit(0);
    }

    private static void say(String line) {
        System.out.printf("[%5.1f s] %s%n", Duration.between(BEGAN, Instant.now()).toMillis() / 1000.0, line);
    }
}
