package dev.bellwether.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.bellwether.platform.DatabaseOutage;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as problem JSON; an unexpected one is logged and answered without its internals. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String DATABASE_RETRY_AFTER_SECONDS = "5";

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return e.toResponse();
    }

    @ServerExceptionMapper
    public Response domain(DomainException e) {
        ProblemException problem = new ProblemException(status(e.kind()), e.getMessage(), e.field().orElse(null));
        e.retryAfterSeconds().ifPresent(seconds -> problem.withHeader("Retry-After", Long.toString(seconds)));
        return problem.toResponse();
    }

    /** The HTTP status of a kind of domain refusal: one mapping for the API and the console. */
    public static Response.StatusType status(DomainException.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> Response.Status.NOT_FOUND;
            case CONFLICT -> Response.Status.CONFLICT;
            case UNPROCESSABLE -> ProblemException.UNPROCESSABLE;
            case UNAVAILABLE -> Response.Status.SERVICE_UNAVAILABLE;
        };
    }

    /** More specific than the mapper Quarkus brings for this type, so that it wins. */
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e) {
        return unreadableJson(e);
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e) {
        String field = null;
        String detail = "the body is not valid JSON: " + e.getOriginalMessage();
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            Throwable cause = e instanceof ValueInstantiationException ? e.getCause() : null;
            detail = cause != null ? cause.getMessage()
                    : e instanceof InvalidFormatException format
                            ? field + " has the wrong type or value: " + format.getValue()
                            : field + ": " + e.getOriginalMessage();
        } else {
            // a syntax error (a key given twice, say) has no mapping path, but the parser knows where it stopped
            field = JsonFieldPath.of(e);
        }
        return Problem.of(Response.Status.BAD_REQUEST, detail, field).toResponse();
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e) {
        String field = fieldOf(e.getConstraintViolations().iterator().next());
        String detail = e.getConstraintViolations().stream()
                .map(v -> fieldOf(v) == null ? "the request body " + v.getMessage() : fieldOf(v) + " " + v.getMessage())
                .sorted()
                .collect(Collectors.joining("; "));
        return Problem.of(Response.Status.BAD_REQUEST, detail, field).toResponse();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonProcessingException json) {
                return unreadableJson(json);
            }
        }
        Response response = e.getResponse();
        if (response.getStatus() >= 500) {
            LOG.error("request failed", e);
        }
        return Problem.of(response.getStatusInfo(), e.getMessage(), null).toResponse();
    }

    /**
     * The database is down, hung or out of connections: the caller may try again shortly. Reached from
     * {@link #unexpected}, as the JDBC failure arrives wrapped in whatever the caller threw.
     */
    public Response databaseUnavailable(Exception e) {
        LOG.warnf("database unavailable: %s", e.getMessage());
        return new ProblemException(Response.Status.SERVICE_UNAVAILABLE, "the database is unavailable now; try again shortly")
                .withHeader("Retry-After", DATABASE_RETRY_AFTER_SECONDS).toResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        if (DatabaseOutage.causedBy(e)) {
            return databaseUnavailable(e);
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            // two requests creating the same thing at once: the loser's check saw nothing, the unique key caught it
            if (cause instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return Problem.of(Response.Status.CONFLICT, "it already exists: a concurrent request created it first", null)
                        .toResponse();
            }
        }
        LOG.error("unexpected error", e);
        return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "internal error; the server log has the details", null)
                .toResponse();
    }

    /**
     * Method-parameter paths read "create.body.name": keep the part a caller would recognise. A violation of the
     * request body itself (none sent) names no field; one of a path or query parameter names the parameter. A bean
     * validated on its own ("steps[0]") keeps its path as it is.
     */
    public static String fieldOf(ConstraintViolation<?> violation) {
        List<Path.Node> nodes = new ArrayList<>();
        violation.getPropertyPath().forEach(nodes::add);
        if (nodes.size() == 2 && nodes.get(0).getKind() == ElementKind.METHOD && nodes.get(1).getKind() == ElementKind.PARAMETER) {
            return isRequestBody(violation.getRootBeanClass(), nodes.get(0).as(Path.MethodNode.class),
                    nodes.get(1).as(Path.ParameterNode.class)) ? null : nodes.get(1).getName();
        }
        String path = violation.getPropertyPath().toString();
        int second = path.indexOf('.', path.indexOf('.') + 1);
        return second < 0 ? path : path.substring(second + 1);
    }

    /**
     * Whether the parameter is the entity: no JAX-RS annotation binds it in any declaration of the method (the class
     * validated may be a subclass that the container generated, whose override carries no annotations).
     */
    private static boolean isRequestBody(Class<?> resource, Path.MethodNode method, Path.ParameterNode parameter) {
        Class<?>[] types = method.getParameterTypes().toArray(Class<?>[]::new);
        boolean declared = false;
        for (Class<?> type = resource; type != null && type != Object.class; type = type.getSuperclass()) {
            try {
                Method declaration = type.getDeclaredMethod(method.getName(), types);
                declared = true;
                for (Annotation annotation : declaration.getParameterAnnotations()[parameter.getParameterIndex()]) {
                    if (annotation.annotationType().getPackageName().startsWith("jakarta.ws.rs")) {
                        return false;
                    }
                }
            } catch (NoSuchMethodException notHere) {
                // declared further up, or not at all
            }
        }
        return declared;
    }
}
