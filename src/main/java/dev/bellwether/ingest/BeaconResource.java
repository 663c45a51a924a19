package dev.bellwether.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bellwether.api.JsonFieldPath;
import dev.bellwether.api.ProblemException;
import dev.bellwether.api.StrictUtf8;
import dev.bellwether.apps.AppDirectory;
import dev.bellwether.apps.IngestPrincipal;
import dev.bellwether.ingest.IngestMetrics.BeaconOutcome;
import dev.bellwether.journey.JourneyDirectory;
import dev.bellwether.platform.DatabaseOutage;
import dev.bellwether.security.Public;
import dev.bellwether.telemetry.DimensionLimitReached;
import dev.bellwether.telemetry.ReleaseAndCohortIds;
import dev.bellwether.telemetry.StorageUnavailableException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.smallrye.common.annotation.Blocking;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Beacon contract v1. Built for {@code navigator.sendBeacon}: the key may come as {@code ?key=}, the body as
 * {@code text/plain}. The answer comes only after the accepted events are committed.
 */
@Path("/v1/beacons")
@Public
public class BeaconResource {

    private static final Logger LOG = Logger.getLogger(BeaconResource.class);
    private static final String ALLOWED_HEADERS = "Authorization, Content-Type, Content-Encoding";

    private final AppDirectory apps;
    private final RateLimiter rateLimiter;
    private final UnknownKeyThrottle unknownKeys;
    private final ReleaseAndCohortIds ids;
    private final JourneyDirectory journeys;
    private final EventWriter writer;
    private final IngestMetrics metrics;
    private final IngestConfig config;
    private final BeaconParser parser;
    private final Clock clock;

    public BeaconResource(AppDirectory apps, RateLimiter rateLimiter, UnknownKeyThrottle unknownKeys, ReleaseAndCohortIds ids,
            JourneyDirectory journeys, EventWriter writer, IngestMetrics metrics, IngestConfig config, BeaconParser parser, Clock clock) {
        this.apps = apps;
        this.rateLimiter = rateLimiter;
        this.unknownKeys = unknownKeys;
        this.ids = ids;
        this.journeys = journeys;
        this.writer = writer;
        this.metrics = metrics;
        this.config = config;
        this.parser = parser;
        this.clock = clock;
    }

    public record Accepted(int accepted, int duplicates, List<Rejected> rejected) {
    }

    public record Rejected(int index, String code, String reason) {
    }

    private record ReleaseAndCohort(long releaseId, long cohortId) {
    }

    /** The request headers a beacon needs, read on the request's thread before any asynchronous step. */
    private record BeaconHeaders(String origin, MediaType type, String contentEncoding) {
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send a beacon of telemetry events",
            description = "Key as 'Authorization: Bearer <key>' or '?key=<key>'; body JSON as application/json or text/plain, "
                    + "at most 64 KiB, optionally gzip. 202 once the accepted events are committed.")
    @APIResponse(responseCode = "202", description = "The accepted events are committed; invalid events are listed in rejected",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "A malformed beacon (not JSON, unknown schema, a missing or wrong envelope "
            + "field, too many events, bad UTF-8 or gzip); 'field' names it. Nothing is stored")
    @APIResponse(responseCode = "401", description = "No ingest key, or an unknown or revoked one")
    @APIResponse(responseCode = "403", description = "The key belongs to another app, or the Origin is not allowed for its app")
    @APIResponse(responseCode = "413", description = "Over 64 KiB as sent, or over 1 MiB inflated")
    @APIResponse(responseCode = "415", description = "Neither application/json nor text/plain, or an encoding other than gzip")
    @APIResponse(responseCode = "422", description = "A new release or cohort beyond the app's limit; 'field' is release or flags. "
            + "Nothing is stored")
    @APIResponse(responseCode = "429", description = "The key's beacon rate is exceeded, or this address sent many unknown keys; "
            + "wait Retry-After seconds")
    @APIResponse(responseCode = "503", description = "Events could not be stored now; nothing was acknowledged, send again "
            + "after Retry-After seconds")
    // Annotations on the method, none on a parameter: every request parses its method's parameter annotations
    // again (for the reader interceptors), and parsing these was a large share of a beacon's CPU.
    @Parameter(name = "key", in = ParameterIn.QUERY, description = "The ingest key, when it cannot be sent as a header",
            schema = @Schema(type = SchemaType.STRING))
    @RequestBody(required = true, content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "Beacon"), examples = {
                    @ExampleObject(name = "outbox", ref = "beacon-outbox"),
                    @ExampleObject(name = "replay", ref = "beacon-replay"),
                    @ExampleObject(name = "sync", ref = "beacon-sync"),
                    @ExampleObject(name = "conflict", ref = "beacon-conflict"),
                    @ExampleObject(name = "migration", ref = "beacon-migration")}),
            @Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(ref = "Beacon"))})
    public CompletionStage<Response> post(HttpHeaders headers, HttpServerRequest request, byte[] body) {
        String queryKey = request.getParam("key");
        // Runs on the I/O thread: parsing is pure CPU, and every lookup that may touch the database is asynchronous.
        BeaconHeaders beaconHeaders = new BeaconHeaders(headers.getHeaderString("Origin"), headers.getMediaType(),
                headers.getHeaderString(HttpHeaders.CONTENT_ENCODING));
        String key;
        boolean needsLookup;
        String source;
        try {
            key = ingestKey(queryKey, headers.getHeaderString(HttpHeaders.AUTHORIZATION));
            needsLookup = !apps.isCached(key);
            // the address is only charged or checked for a key not yet known: most beacons need not format it
            source = needsLookup ? source(request) : null;
            Optional<ProblemException> throttled = throttled(source, needsLookup);
            if (throttled.isPresent()) {
                throw refused(BeaconOutcome.RATE_LIMITED, throttled.get());
            }
        } catch (ProblemException e) {
            return CompletableFuture.completedFuture(refusal(e, beaconHeaders.origin()));
        }
        // Bounded as a whole (the key's and the release's lookups may wait on the database too), and the commit
        // wait by what is left, so that the writer skips a beacon whose answer has already gone out.
        long deadline = System.nanoTime() + config.answerTimeout().toNanos();
        return apps.byIngestKey(key)
                .thenCompose(principal -> accept(principal.orElseThrow(() -> {
                    if (needsLookup) {
                        unknownKeys.charge(source);
                    }
                    return refused(BeaconOutcome.UNAUTHORIZED,
                            new ProblemException(Response.Status.UNAUTHORIZED, "the ingest key is unknown or revoked")
                                    .withHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\""));
                }), beaconHeaders, body, deadline))
                .orTimeout(config.answerTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .exceptionally(failure -> failed(failure, beaconHeaders.origin()));
    }

    private CompletionStage<Response> accept(IngestPrincipal principal, BeaconHeaders headers, byte[] body, long deadline) {
        String origin = headers.origin();
        if (origin != null && !principal.allowsOrigin(origin)) {
            throw refused(BeaconOutcome.FORBIDDEN, new ProblemException(Response.Status.FORBIDDEN,
                    "origin " + origin + " is not allowed for app '" + principal.appName() + "'"));
        }
        Optional<Duration> wait = rateLimiter.acquire(principal);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            throw refused(BeaconOutcome.RATE_LIMITED, new ProblemException(Response.Status.TOO_MANY_REQUESTS,
                    "beacon rate limit of this ingest key exceeded; retry after " + seconds + " s")
                    .withHeader("Retry-After", String.valueOf(seconds)));
        }
        ParsedBeacon parsed = parse(body, headers, principal);
        Beacon beacon = parsed.beacon();
        if (!beacon.app().equals(principal.appName())) {
            throw refused(BeaconOutcome.FORBIDDEN, new ProblemException(Response.Status.FORBIDDEN,
                    "this ingest key belongs to app '" + principal.appName() + "', not '" + beacon.app() + "'", "app"));
        }
        metrics.rejected(principal.appName(), beacon.rejected());
        List<Rejected> rejected = beacon.rejected().stream()
                .map(r -> new Rejected(r.index(), r.code().label(), r.reason())).toList();
        if (beacon.events().isEmpty()) {
            // nothing to store: a release or cohort made for it would be a row that no event ever refers to
            metrics.beacon(BeaconOutcome.ACCEPTED);
            return CompletableFuture.completedFuture(
                    withCors(Response.accepted(new Accepted(0, 0, rejected)), origin).build());
        }
        return ids.releaseId(principal.appId(), beacon.release(), config.maxReleasesPerApp())
                .thenCombine(ids.cohortId(principal.appId(), beacon.cohort(), config.maxCohortsPerApp()), ReleaseAndCohort::new)
                .thenCombine(journeys.of(principal.appId()),
                        (dimensions, appJourneys) -> new EventWriter.Destination(principal.appId(), principal.appName(),
                                dimensions.releaseId(), beacon.release(), dimensions.cohortId(), beacon.cohort().label(),
                                appJourneys.matcher()))
                .thenCompose(destination -> writer.submit(destination, beacon.client(), beacon.events(), parsed.jsonBytes(),
                        Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))))
                .thenApply(outcome -> {
                    metrics.beacon(BeaconOutcome.ACCEPTED);
                    return withCors(Response.accepted(new Accepted(outcome.accepted(), outcome.duplicates(), rejected)),
                            origin).build();
                });
    }

    @OPTIONS
    @Blocking
    @Operation(summary = "CORS preflight for beacons sent with headers or as application/json")
    @APIResponse(responseCode = "204", description = "The origin may send beacons")
    @APIResponse(responseCode = "403", description = "No Origin, or one that no app (or not the key's app) allows")
    @APIResponse(responseCode = "429", description = "This address sent many unknown keys or origins; wait Retry-After seconds")
    @APIResponse(responseCode = "503", description = "The database is unavailable now; try again after Retry-After seconds")
    public Response preflight(@QueryParam("key") String queryKey, @Context HttpHeaders headers,
            @Context HttpServerRequest request) {
        String origin = headers.getHeaderString("Origin");
        boolean allowed = false;
        if (origin != null) {
            String source = source(request);
            boolean needsLookup = queryKey != null ? !apps.isCached(queryKey) : !apps.isOriginCached(origin);
            Optional<ProblemException> throttled = throttled(source, needsLookup);
            if (throttled.isPresent()) {
                return throttled.get().toResponse();
            }
            boolean found = true;
            if (queryKey != null) {
                Optional<IngestPrincipal> principal = apps.byIngestKey(queryKey).join();
                found = principal.isPresent();
                allowed = principal.map(p -> p.allowsOrigin(origin)).orElse(false);
            } else {
                allowed = apps.originAllowedByAnyApp(origin);
                found = allowed;
            }
            if (needsLookup && !found) {
                unknownKeys.charge(source);
            }
        }
        if (!allowed) {
            return new ProblemException(Response.Status.FORBIDDEN,
                    origin == null ? "a CORS preflight needs an Origin header" : "origin " + origin + " is not allowed").toResponse();
        }
        return withCors(Response.noContent(), origin)
                .header("Access-Control-Allow-Methods", "POST")
                .header("Access-Control-Allow-Headers", ALLOWED_HEADERS)
                .header("Access-Control-Max-Age", "600")
                .build();
    }

    /** Refuses a request that needs a lookup when its source has lately caused too many that found nothing. */
    private Optional<ProblemException> throttled(String source, boolean needsLookup) {
        if (!needsLookup) {
            return Optional.empty();
        }
        return unknownKeys.waitFor(source).map(wait -> {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            return new ProblemException(Response.Status.TOO_MANY_REQUESTS,
                    "too many unknown ingest keys or origins from this address; retry after " + seconds + " s")
                    .withHeader("Retry-After", String.valueOf(seconds));
        });
    }

    private static String source(HttpServerRequest request) {
        SocketAddress address = request.remoteAddress();
        return address == null ? "" : address.hostAddress();
    }

    private String ingestKey(String queryKey, String authorization) {
        String key = queryKey;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            key = authorization.substring(7).trim();
        }
        if (key == null || key.isBlank()) {
            throw refused(BeaconOutcome.UNAUTHORIZED, new ProblemException(Response.Status.UNAUTHORIZED,
                    "an ingest key is required, as 'Authorization: Bearer <key>' or '?key=<key>'")
                    .withHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer"));
        }
        return key;
    }

    /** A beacon and the size of its JSON text, which bounds what its events hold while they wait for a commit. */
    private record ParsedBeacon(Beacon beacon, int jsonBytes) {
    }

    private ParsedBeacon parse(byte[] body, BeaconHeaders headers, IngestPrincipal principal) {
        if (body == null || body.length == 0) {
            throw refused(BeaconOutcome.INVALID, ProblemException.badRequest(null, "the body is empty; send a beacon as JSON"));
        }
        if (body.length > config.maxBodyBytes()) {
            throw refused(BeaconOutcome.TOO_LARGE, new ProblemException(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "a beacon may be at most " + config.maxBodyBytes() + " bytes, this one is " + body.length));
        }
        MediaType type = headers.type();
        if (type != null && !type.isCompatible(MediaType.APPLICATION_JSON_TYPE) && !type.isCompatible(MediaType.TEXT_PLAIN_TYPE)) {
            throw refused(BeaconOutcome.INVALID, new ProblemException(Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    "send beacons as application/json or text/plain, not " + type));
        }
        byte[] jsonBytes = decode(body, headers.contentEncoding(), principal);
        chargeBeyondOne(principal, jsonBytes.length);
        int malformed = StrictUtf8.firstMalformed(jsonBytes, jsonBytes.length);
        if (malformed >= 0) {
            throw refused(BeaconOutcome.INVALID, ProblemException.badRequest(null,
                    "the body is not well-formed UTF-8 at byte " + malformed + " (overlong, surrogate or cut-off character)"));
        }
        JsonNode root;
        try {
            root = BeaconParser.read(jsonBytes);
        } catch (JsonProcessingException e) {
            throw refused(BeaconOutcome.INVALID, ProblemException.badRequest(JsonFieldPath.of(e),
                    "the body is not valid JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw refused(BeaconOutcome.INVALID, ProblemException.badRequest(null, "the body could not be read: " + e.getMessage()));
        }
        try {
            return new ParsedBeacon(parser.parse(root, clock.instant()), jsonBytes.length);
        } catch (InvalidBeaconException e) {
            throw refused(BeaconOutcome.INVALID, ProblemException.badRequest(e.field(), e.getMessage()));
        }
    }

    /** Charges the key for a beacon's size before it is read, so that a refused one costs as much as it took. */
    private void chargeBeyondOne(IngestPrincipal principal, int jsonBytes) {
        rateLimiter.charge(principal, BeaconCost.beacons(jsonBytes, config.rateLimit().bytesPerBeacon()) - 1);
    }

    private byte[] decode(byte[] body, String contentEncoding, IngestPrincipal principal) {
        if (contentEncoding == null || contentEncoding.isBlank() || contentEncoding.equalsIgnoreCase("identity")) {
            return body;
        }
        if (!contentEncoding.equalsIgnoreCase("gzip")) {
            throw refused(BeaconOutcome.INVALID, new ProblemException(Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Encoding " + contentEncoding + " is not supported; use gzip or none"));
        }
        int limit = config.maxDecompressedBytes();
        try {
            return GzipBody.inflate(body, limit);
        } catch (GzipBody.TooLarge e) {
            chargeBeyondOne(principal, limit);
            throw refused(BeaconOutcome.TOO_LARGE, new ProblemException(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "a gzip beacon may inflate to at most " + limit + " bytes"));
        } catch (GzipBody.Malformed e) {
            // how much it inflated before the fault is not known: charged as the largest, which no SDK sends
            chargeBeyondOne(principal, limit);
            throw refused(BeaconOutcome.INVALID, ProblemException.badRequest(null, "the body is not valid gzip: " + e.getMessage()));
        }
    }

    /** Maps what went wrong after the key was read: refusals keep their answer, storage trouble is a 503. */
    private Response failed(Throwable failure, String origin) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof ProblemException problem) {
            return refusal(problem, origin);
        }
        if (cause instanceof DimensionLimitReached limit) {
            metrics.beacon(BeaconOutcome.INVALID);
            String field = limit.dimension() == DimensionLimitReached.Dimension.RELEASE ? "release" : "flags";
            return withCors(Response.fromResponse(new ProblemException(ProblemException.UNPROCESSABLE, limit.getMessage()
                    + "; nothing of this beacon was stored", field).toResponse()), origin).build();
        }
        metrics.beacon(BeaconOutcome.UNAVAILABLE);
        // the writer logs why a commit failed, the probe that the database is down; a beacon that outwaited its bound
        // or met an outage elsewhere (looking up its key, release or cohort) is counted, not logged one by one
        if (!(cause instanceof StorageUnavailableException) && !(cause instanceof TimeoutException)
                && !DatabaseOutage.causedBy(cause)) {
            LOG.error("beacon could not be stored", cause);
        }
        return withCors(Response.fromResponse(new ProblemException(Response.Status.SERVICE_UNAVAILABLE,
                "events could not be stored now; nothing of this beacon was acknowledged, send it again")
                .withHeader("Retry-After", "5").toResponse()), origin).build();
    }

    private ProblemException refused(BeaconOutcome outcome, ProblemException problem) {
        metrics.beacon(outcome);
        return problem;
    }

    private static Response refusal(ProblemException problem, String origin) {
        return withCors(Response.fromResponse(problem.toResponse()), origin).build();
    }

    /**
     * Every answer to a page, refusals included: without it a page's script sees a 429, 503, 400 or 403 only as a
     * network error, and cannot read how long {@code Retry-After} asks it to wait. Which origins may send is decided
     * by the 403, not by these headers.
     */
    private static Response.ResponseBuilder withCors(Response.ResponseBuilder response, String origin) {
        return origin == null ? response : response.header("Access-Control-Allow-Origin", origin).header("Vary", "Origin")
                .header("Access-Control-Expose-Headers", "Retry-After");
    }
}
