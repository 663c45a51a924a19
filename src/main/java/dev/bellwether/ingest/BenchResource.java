package dev.bellwether.ingest;

import dev.bellwether.api.ProblemException;
import dev.bellwether.security.Public;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The ingest benchmark's ceiling: the beacon endpoint's HTTP plumbing (I/O thread, whole body read, JSON answer)
 * with no parsing, storage or dedupe. Off unless {@code bellwether.bench.ceiling-endpoint=true}.
 */
@Path("/v1/bench/ceiling")
@Public
public class CeilingResource {

    private static final BeaconResource.Accepted NOTHING = new BeaconResource.Accepted(0, 0, java.util.List.of());

    @ConfigProperty(name = "bellwether.bench.ceiling-endpoint", defaultValue = "false")
    boolean enabled;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(hidden = true)
    public CompletionStage<Response> post(byte[] body) {
        if (!enabled) {
            throw ProblemException.notFound("the benchmark ceiling endpoint is off");
        }
        return CompletableFuture.completedFuture(Response.accepted(NOTHING).build());
    }
}
