package dev.bellwether.api;

import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Thrown anywhere to answer the caller with a problem-JSON response. */
public class ProblemException extends RuntimeException {

    /** 422: the request is well formed, but what it names cannot be used (JAX-RS has no constant for it). */
    public static final Response.StatusType UNPROCESSABLE = new Response.StatusType() {
        @Override
        public int getStatusCode() {
            return 422;
        }

        @Override
        public Response.Status.Family getFamily() {
            return Response.Status.Family.CLIENT_ERROR;
        }

        @Override
        public String getReasonPhrase() {
            return "Unprocessable Content";
        }
    };

    private final Response.StatusType status;
    private final String field;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ProblemException(Response.StatusType status, String detail) {
        this(status, detail, null);
    }

    public ProblemException(Response.StatusType status, String detail, String field) {
        super(detail, null, false, false);
        this.status = status;
        this.field = field;
    }

    public static ProblemException badRequest(String field, String detail) {
        return new ProblemException(Response.Status.BAD_REQUEST, detail, field);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(Response.Status.NOT_FOUND, detail);
    }

    /** The input field to blame, or null. */
    public String field() {
        return field;
    }

    public Response.StatusType status() {
        return status;
    }

    public ProblemException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public Response toResponse() {
        Response.ResponseBuilder builder = Response.fromResponse(Problem.of(status, getMessage(), field).toResponse());
        headers.forEach(builder::header);
        return builder.build();
    }
}
