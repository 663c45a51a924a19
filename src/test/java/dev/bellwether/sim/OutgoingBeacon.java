package dev.bellwether.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * A beacon as a browser SDK posts it: its events share the flags and release the client ran with when they
 * happened. {@code sendBeacon}: text/plain with the key in the query (navigator.sendBeacon); else fetch with JSON
 * and a bearer header. {@code sendTwice}: the acknowledgement is lost and the SDK sends the same beacon again.
 */
public record OutgoingBeacon(SimulatedClient client, String release, Map<String, Object> flags, List<ObjectNode> events,
                             boolean sendBeacon, boolean sendTwice) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String body(String app) {
        return tree(app).toString();
    }

    /** The beacon as a JSON tree: what {@link #body} writes, without the text in between. */
    public ObjectNode tree(String app) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", 1).put("app", app).put("release", release).put("client", client.id());
        ObjectNode flagNode = root.putObject("flags");
        flags.forEach((name, value) -> {
            if (value instanceof Boolean b) {
                flagNode.put(name, b);
            } else {
                flagNode.put(name, String.valueOf(value));
            }
        });
        ArrayNode array = root.putArray("events");
        events.forEach(array::add);
        return root;
    }
}
