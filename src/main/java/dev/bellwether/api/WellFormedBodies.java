package dev.bellwether.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * API bodies must be well-formed UTF-8 ({@link StrictUtf8}). Bodies read as bytes (beacons) are left to their endpoint,
 * which checks them after decoding. The HTTP body limit bounds what is buffered here.
 */
@Provider
public class WellFormedBodies implements ReaderInterceptor {

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException, WebApplicationException {
        if (context.getType() == byte[].class) {
            return context.proceed();
        }
        byte[] body = context.getInputStream().readAllBytes();
        int malformed = StrictUtf8.firstMalformed(body, body.length);
        if (malformed >= 0) {
            throw ProblemException.badRequest(null,
                    "the body is not well-formed UTF-8 at byte " + malformed + " (overlong, surrogate or cut-off character)");
        }
        context.setInputStream(new ByteArrayInputStream(body));
        return context.proceed();
    }
}
