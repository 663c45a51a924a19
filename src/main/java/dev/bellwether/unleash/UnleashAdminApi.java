package dev.bellwether.unleash;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The few calls of the Unleash Admin API that Bellwether needs, relative to the configured API base
 * ({@code http://host:4242/api}). Built programmatically by {@link UnleashFlagControl} (the URL may be absent), with
 * the admin token added to every request as {@code Authorization: <token>}.
 *
 * <p>Every method returns the raw {@link Response} (the default exception mapper is off): the adapter maps statuses
 * itself, and must close each response.
 */
@Path("/admin/projects/{project}/features")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface UnleashAdminApi extends AutoCloseable {

    /** The flag with its environments, each with {@code enabled} and its {@code strategies}; 404 when unknown. */
    @GET
    @Path("/{flag}")
    Response feature(@PathParam("project") String project, @PathParam("flag") String flag);

    /** Adds a strategy to an environment of the flag; the answer is the strategy with its {@code id}. */
    @POST
    @Path("/{flag}/environments/{environment}/strategies")
    Response addStrategy(@PathParam("project") String project, @PathParam("flag") String flag,
            @PathParam("environment") String environment, JsonNode strategy);

    /** Replaces a strategy: the body is the whole strategy (name, parameters, constraints, ...), not a patch. */
    @PUT
    @Path("/{flag}/environments/{environment}/strategies/{strategyId}")
    Response updateStrategy(@PathParam("project") String project, @PathParam("flag") String flag,
            @PathParam("environment") String environment, @PathParam("strategyId") String strategyId, JsonNode strategy);

    /**
     * Turns the flag on in the environment. Careful: Unleash adds the project's default strategy (100 %) when the
     * environment has no enabled strategy, so a rollout strategy must exist and be enabled first.
     */
    @POST
    @Path("/{flag}/environments/{environment}/on")
    Response environmentOn(@PathParam("project") String project, @PathParam("flag") String flag,
            @PathParam("environment") String environment);

    /** Turns the flag off in the environment; its strategies stay as they are. */
    @POST
    @Path("/{flag}/environments/{environment}/off")
    Response environmentOff(@PathParam("project") String project, @PathParam("flag") String flag,
            @PathParam("environment") String environment);

    @Override
    void close();

    /** The listings people choose a flag from: projects, a project's environments and its flags. */
    @Path("/admin")
    @Produces(MediaType.APPLICATION_JSON)
    interface Catalog extends AutoCloseable {

        /** {@code {"projects": [{"id": "default", "name": "Default", ...}]}} */
        @GET
        @Path("/projects")
        Response projects();

        /** {@code {"environments": [{"name": "development", "enabled": true, ...}]}} for the project. */
        @GET
        @Path("/environments/project/{project}")
        Response environments(@PathParam("project") String project);

        /** {@code {"features": [{"name": "new-sync-engine", "archived": false, ...}]}} */
        @GET
        @Path("/projects/{project}/features")
        Response features(@PathParam("project") String project);

        @Override
        void close();
    }

    /** Unleash's own health endpoint, relative to the server root (the API base without {@code /api}); no token. */
    @Path("/")
    interface Health extends AutoCloseable {

        /** 200 {@code {"health":"GOOD"}} when Unleash serves requests. */
        @GET
        @Path("/health")
        @Produces(MediaType.APPLICATION_JSON)
        Response health();

        @Override
        void close();
    }
}
