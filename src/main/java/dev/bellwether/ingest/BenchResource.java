package dev.bellwether.ingest;

import dev.bellwether.api.ProblemException;
import dev.bellwether.security.Public;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The ingest benchmark's references, beside the beacon endpoint on the same HTTP path, thread and JSON answer:
 * {@code ceiling} reads the body and answers (no parsing, storage or dedupe); {@code parsed} also parses and
 * validates the beacon as the beacon endpoint does, and stores nothing. Off unless
 * {@code bellwether.bench.ceiling-endpoint=true}.
 */
@Path("/v1/bench")
@Public
public class BenchResource {

    private static final BeaconResource.Accepted NOTHING = new BeaconResource.Accepted(0, 0, List.of());

    private final boolean enabled;
    private final BeaconParser parser;
    private final Clock clock;

    public BenchResource(BenchConfig config, BeaconParser parser, Clock clock) {
        this.enabled = config.ceilingEndpoint();
        this.parser = parser;
        this.clock = clock;
    }

    @POST
    @Path("ceiling")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(hidden = true)
    public CompletionStage<Response> ceiling(byte[] body) {
        requireEnabled();
        return CompletableFuture.completedFuture(Response.accepted(NOTHING).build());
    }

    @POST
    @Path("parsed")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(hidden = true)
    public CompletionStage<Response> parsed(byte[] body) {
        requireEnabled();
        Beacon beacon;
        try {
            beacon = parser.parse(BeaconParser.read(body), clock.instant());
        } catch (IOException | InvalidBeaconException e) {
            throw ProblemException.badRequest(null, e.getMessage());
        }
        return CompletableFuture.completedFuture(Response.accepted(
                new BeaconResource.Accepted(beacon.events().size(), 0, List.of())).build());
    }

    private void requireEnabled() {
        if (!enabled) {
            throw ProblemException.notFound("the benchmark endpoints are off");
        }
    }
}
