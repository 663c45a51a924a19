package dev.bellwether.api;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Names and values in a path or query string never need a control character, and PostgreSQL refuses NUL in text:
 * refuse them here, naming the parameter, before a query fails with a 500.
 */
public class NoControlCharactersInParameters {

    @ServerRequestFilter
    public void check(UriInfo uri) {
        firstOffending(uri.getPathParameters(true));
        firstOffending(uri.getQueryParameters(true));
    }

    private static void firstOffending(MultivaluedMap<String, String> parameters) {
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            for (String value : parameter.getValue()) {
                if (hasControlCharacter(value)) {
                    throw ProblemException.badRequest(parameter.getKey(), parameter.getKey() + " must not contain control characters");
                }
            }
        }
    }

    static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
