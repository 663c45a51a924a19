package dev.bellwether.security;

import dev.bellwether.api.ProblemException;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** API tokens for people and automation. The secret is shown once, at creation, and stored only hashed. */
@Path("/v1/tokens")
@Allowed(Role.ADMIN)
public class TokenResource {

    private final TokenAuthenticator authenticator;

    public TokenResource(TokenAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    public record CreateToken(@NotNull Role role, @NotBlank @Size(max = 100) String name) {
    }

    public record CreatedToken(long id, String name, Role role, String token) {
    }

    public record TokenView(long id, String name, Role role, String prefix, OffsetDateTime createdAt,
                            @Schema(nullable = true) OffsetDateTime revokedAt) {
        static TokenView of(ApiToken token) {
            return new TokenView(token.id, token.name, token.role, token.tokenPrefix, token.createdAt, token.revokedAt);
        }
    }

    @POST
    @Transactional
    @Operation(summary = "A new API token; the token is shown only in this answer")
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CreatedToken.class)))
    public Response create(@Valid @NotNull CreateToken request) {
        String secret = Secrets.generate(Secrets.API_TOKEN_PREFIX);
        ApiToken token = new ApiToken();
        token.name = request.name();
        token.role = request.role();
        token.tokenHash = Secrets.hash(secret);
        token.tokenPrefix = Secrets.displayPrefix(secret);
        token.createdAt = OffsetDateTime.now();
        token.persist();
        return Response.status(Response.Status.CREATED)
                .entity(new CreatedToken(token.id, token.name, token.role, secret)).build();
    }

    @GET
    public List<TokenView> list() {
        return ApiToken.<ApiToken>listAll().stream().map(TokenView::of).toList();
    }

    @DELETE
    @Path("/{id}")
    @Transactional
    @Operation(summary = "Revoke an API token")
    @APIResponse(responseCode = "204", description = "Revoked (or already revoked)")
    public Response revoke(@PathParam("id") long id) {
        ApiToken token = ApiToken.<ApiToken>findByIdOptional(id)
                .orElseThrow(() -> ProblemException.notFound("no token with id " + id));
        if (token.revokedAt == null) {
            token.revokedAt = OffsetDateTime.now();
        }
        authenticator.forget(token.tokenHash);
        return Response.noContent().build();
    }
}
