package dev.bellwether.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON for a {@code <script type="application/json">} block, which the browser does not decode as HTML: {@code <},
 * {@code >} and {@code &} are written as JSON escapes, so no text in it can close the block or open markup.
 */
final class ScriptJson {

    private ScriptJson() {
    }

    static String of(ObjectMapper json, Object value) {
        try {
            return json.writeValueAsString(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("chart data is plain records", e);
        }
    }
}
