package dev.bellwether.apps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.api.ProblemException;
import dev.bellwether.platform.PersonText;
import dev.bellwether.security.Allowed;
import dev.bellwether.security.Role;
import dev.bellwether.security.Secrets;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Admin API for apps, their browser origins and their ingest keys. */
@Path("/v1/apps")
public class AppResource {

    static final String NAME_PATTERN = "^[a-z0-9][a-z0-9._-]{0,62}$";
    static final int KEY_NAME_LENGTH = 63;
    private final AppDirectory directory;
    private final ObjectMapper json;

    public AppResource(AppDirectory directory, ObjectMapper json) {
        this.directory = directory;
        this.json = json;
    }

    public record CreateApp(
            @NotNull @Pattern(regexp = NAME_PATTERN, message = "must be 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
            String name,
            @Size(max = 50) List<@NotNull String> allowedOrigins,
            @Min(1) @Max(1_000_000) Integer beaconsPerSecond) {
    }

    /** Fields left out stay as they are. */
    public record UpdateApp(@Size(max = 50) List<@NotNull String> allowedOrigins, @Min(1) @Max(1_000_000) Integer beaconsPerSecond) {
    }

    public record AppView(long id, String name, List<String> allowedOrigins, @Schema(nullable = true) Integer beaconsPerSecond,
                          OffsetDateTime createdAt) {
        static AppView of(App app) {
            return new AppView(app.id, app.name, List.of(app.allowedOrigins), app.beaconsPerSecond, app.createdAt);
        }
    }

    /** The optional body of a key's creation. */
    public record CreateKey(
            @Schema(nullable = true, minLength = 1, maxLength = KEY_NAME_LENGTH,
                    description = "A label to tell the key apart (which build or site uses it); no control characters",
                    examples = "field-notes web, production")
            String name) {
    }

    public record CreatedKey(long id, @Schema(nullable = true) String name, String prefix, String key,
                             OffsetDateTime createdAt) {
    }

    public record KeyView(long id, @Schema(nullable = true) String name, String prefix, OffsetDateTime createdAt,
                          @Schema(nullable = true) OffsetDateTime revokedAt) {
    }

    @POST
    @Transactional
    @Allowed(Role.ADMIN)
    @Operation(summary = "Create an app")
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AppView.class)))
    @APIResponse(responseCode = "409", description = "An app of that name exists; 'field' is name")
    public Response create(@Valid @NotNull CreateApp request) {
        if (App.findByName(request.name()).isPresent()) {
            throw new ProblemException(Response.Status.CONFLICT, "an app named '" + request.name() + "' exists", "name");
        }
        App app = App.named(request.name());
        app.allowedOrigins = origins(request.allowedOrigins());
        app.beaconsPerSecond = request.beaconsPerSecond();
        app.persist();
        return Response.created(URI.create("/v1/apps/" + app.name)).entity(AppView.of(app)).build();
    }

    @GET
    @Allowed(Role.VIEWER)
    public List<AppView> list() {
        return App.<App>listAll().stream().map(AppView::of).toList();
    }

    @GET
    @Path("/{app}")
    @Allowed(Role.VIEWER)
    public AppView get(@PathParam("app") String name) {
        return AppView.of(directory.requireApp(name));
    }

    @PATCH
    @Path("/{app}")
    @Transactional
    @Allowed(Role.ADMIN)
    public AppView update(@PathParam("app") String name, @Valid @NotNull UpdateApp request) {
        App app = directory.requireApp(name);
        if (request.allowedOrigins() != null) {
            app.allowedOrigins = origins(request.allowedOrigins());
        }
        if (request.beaconsPerSecond() != null) {
            app.beaconsPerSecond = request.beaconsPerSecond();
        }
        directory.forgetAll();
        return AppView.of(app);
    }

    @POST
    @Path("/{app}/ingest-keys")
    @Transactional
    @Allowed(Role.ADMIN)
    @Operation(summary = "A new ingest key for the app; the key is shown only in this answer")
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CreatedKey.class)))
    @APIResponse(responseCode = "400", description = "The name is blank, longer than 63 characters, not a string or"
            + " has control characters ('field' is name), or the body is not JSON")
    // the body is optional and read by hand: a post with no body is a key without a name, whatever its Content-Type
    @Consumes(MediaType.WILDCARD)
    public Response createKey(@PathParam("app") String name,
            @RequestBody(required = false, description = "May be left out (or null): a key without a name",
                    content = @Content(mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = CreateKey.class))) String body) throws JsonProcessingException {
        CreateKey request = body == null || body.isBlank() ? null : json.readValue(body, CreateKey.class);
        return Response.status(Response.Status.CREATED).entity(newKey(name, request == null ? null : request.name())).build();
    }

    /**
     * A new ingest key, with a label or none (null); its secret is in the answer only.
     *
     * @throws ProblemException 400 naming {@code name} when the label is blank, too long or has control characters
     */
    @Transactional
    public CreatedKey newKey(String app, String label) {
        App owner = directory.requireApp(app);
        checkKeyName(label);
        String secret = Secrets.generate(Secrets.INGEST_KEY_PREFIX);
        IngestKey key = new IngestKey();
        key.app = owner;
        key.name = label;
        key.keyHash = Secrets.hash(secret);
        key.keyPrefix = Secrets.displayPrefix(secret);
        key.createdAt = OffsetDateTime.now();
        key.persist();
        directory.forgetKey(key.keyHash);
        return new CreatedKey(key.id, key.name, key.keyPrefix, secret, key.createdAt);
    }

    static void checkKeyName(String label) {
        if (label == null) {
            return;
        }
        if (label.isBlank()) {
            throw ProblemException.badRequest("name", "name must not be blank (leave it out for a key without a name)");
        }
        if (label.codePointCount(0, label.length()) > KEY_NAME_LENGTH) {
            throw ProblemException.badRequest("name", "name must be at most " + KEY_NAME_LENGTH + " characters");
        }
        int refused = PersonText.firstControlCharacter(label);
        if (refused >= 0) {
            throw ProblemException.badRequest("name", "name must not contain control characters (found U+"
                    + String.format("%04X", refused) + ")");
        }
    }

    @GET
    @Path("/{app}/ingest-keys")
    @Allowed(Role.ADMIN)
    public List<KeyView> listKeys(@PathParam("app") String name) {
        App app = directory.requireApp(name);
        return IngestKey.<IngestKey>list("app = ?1 order by id", app).stream()
                .map(k -> new KeyView(k.id, k.name, k.keyPrefix, k.createdAt, k.revokedAt)).toList();
    }

    @DELETE
    @Path("/{app}/ingest-keys/{id}")
    @Transactional
    @Allowed(Role.ADMIN)
    @Operation(summary = "Revoke an ingest key")
    @APIResponse(responseCode = "204", description = "Revoked (or already revoked)")
    public Response revokeKey(@PathParam("app") String name, @PathParam("id") long id) {
        App app = directory.requireApp(name);
        IngestKey key = IngestKey.<IngestKey>find("id = ?1 and app = ?2", id, app).firstResultOptional()
                .orElseThrow(() -> ProblemException.notFound("app '" + name + "' has no ingest key " + id));
        if (key.revokedAt == null) {
            key.revokedAt = OffsetDateTime.now();
        }
        directory.forgetAll();
        return Response.noContent().build();
    }

    /** Origins as browsers send them: scheme://host[:port], no path; or "*" for any. */
    static String[] origins(List<String> requested) {
        if (requested == null) {
            return new String[0];
        }
        for (int i = 0; i < requested.size(); i++) {
            String origin = requested.get(i);
            if (!origin.equals("*") && !origin.matches("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")) {
                throw ProblemException.badRequest("allowedOrigins[" + i + "]",
                        "'" + origin + "' is not an origin: use scheme://host[:port] without a path, or \"*\"");
            }
        }
        return requested.stream().distinct().toArray(String[]::new);
    }
}
