package dev.bellwether.unleash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.rollout.FlagControl;
import dev.bellwether.rollout.FlagControlException;
import dev.bellwether.rollout.FlagRef;
import dev.bellwether.rollout.FlagState;
import dev.bellwether.support.SharedPostgres;
import dev.bellwether.support.UnleashServer;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The adapter against a real Unleash (unleash-server 7.4.1 on Node, its own database on a test PostgreSQL).
 *
 * <p>A {@code @QuarkusTest} only because Quarkus REST clients need the Quarkus runtime; the adapters under test are
 * built by hand from a made-up {@link UnleashConfig}.
 */
@QuarkusTest
class UnleashFlagControlTest {

    private static SharedPostgres postgres;
    private static UnleashServer unleash;

    @Inject
    FlagControl injected;

    private UnleashFlagControl control;

    @BeforeAll
    static void startUnleash() throws Exception {
        long t0 = System.nanoTime();
        postgres = new SharedPostgres();
        long t1 = System.nanoTime();
        unleash = UnleashServer.on(postgres);
        unleash.start();
        long t2 = System.nanoTime();
        System.out.printf("[UnleashFlagControlTest] PostgreSQL %d ms, Unleash install+start %d ms%n",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    }

    @AfterAll
    static void stopUnleash() throws Exception {
        if (unleash != null) {
            unleash.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void adapter() {
        control = new UnleashFlagControl(config(Optional.of(unleash.apiUrl()), Optional.of(unleash.adminToken())));
    }

    @AfterEach
    void closeAdapter() {
        control.close();
    }

    @Test
    void theBeanIsTheUnleashAdapterAndStartsWithoutConfiguration() {
        assertThat(injected).isInstanceOf(UnleashFlagControl.class);
    }

    @Test
    void aNewFlagExistsIsOffAndHasNoRollout() throws Exception {
        FlagRef flag = newFlag();
        assertThat(control.configured()).isTrue();
        assertThat(control.isOnline()).isTrue();
        assertThat(control.read(flag)).isEqualTo(new FlagState(true, false, null));
    }

    @Test
    void setPercentageCreatesTheStrategyThenUpdatesItAndRepeatingChangesNothing() throws Exception {
        FlagRef flag = newFlag();

        assertThat(control.setPercentage(flag, 5)).isEqualTo(new FlagState(true, true, 5));
        JsonNode strategies = unleash.strategies(flag.flag());
        assertThat(strategies).hasSize(1); // no default strategy added by turning the environment on
        JsonNode strategy = strategies.get(0);
        assertThat(strategy.path("name").asText()).isEqualTo("flexibleRollout");
        assertThat(strategy.path("parameters").path("rollout").asText()).isEqualTo("5");
        assertThat(strategy.path("parameters").path("groupId").asText()).isEqualTo(flag.flag());
        assertThat(strategy.path("parameters").path("stickiness").asText()).isEqualTo("default");
        String id = strategy.path("id").asText();
        assertThat(control.read(flag)).isEqualTo(new FlagState(true, true, 5));

        assertThat(control.setPercentage(flag, 25)).isEqualTo(new FlagState(true, true, 25));
        assertThat(unleash.strategies(flag.flag())).hasSize(1);
        assertThat(unleash.strategies(flag.flag()).get(0).path("id").asText()).isEqualTo(id);
        assertThat(unleash.strategies(flag.flag()).get(0).path("parameters").path("rollout").asText()).isEqualTo("25");

        int events = unleash.events(flag.flag()).size();
        // environments only: Unleash fills in other fields (the feature's lifecycle stage) on its own, later
        var before = unleash.feature(flag.flag()).get("environments");
        assertThat(control.setPercentage(flag, 25)).isEqualTo(new FlagState(true, true, 25));
        assertThat(unleash.events(flag.flag()).size()).as("events after a repeated setPercentage(25)").isEqualTo(events);
        assertThat(unleash.feature(flag.flag()).get("environments")).isEqualTo(before);
    }

    @Test
    void turnOffKeepsThePercentageAndRepeatingChangesNothing() throws Exception {
        FlagRef flag = newFlag();
        control.setPercentage(flag, 10);

        assertThat(control.turnOff(flag)).isEqualTo(new FlagState(true, false, 10));
        assertThat(unleash.strategies(flag.flag()).get(0).path("parameters").path("rollout").asText()).isEqualTo("10");
        int events = unleash.events(flag.flag()).size();
        assertThat(control.turnOff(flag)).isEqualTo(new FlagState(true, false, 10));
        assertThat(unleash.events(flag.flag()).size()).isEqualTo(events);

        // and on again at the same share: only the environment changes
        String id = unleash.strategies(flag.flag()).get(0).path("id").asText();
        assertThat(control.setPercentage(flag, 10)).isEqualTo(new FlagState(true, true, 10));
        assertThat(unleash.strategies(flag.flag())).hasSize(1);
        assertThat(unleash.strategies(flag.flag()).get(0).path("id").asText()).isEqualTo(id);
    }

    @Test
    void anUnknownFlagIsMissingAndCannotBeWritten() {
        FlagRef flag = new FlagRef("default", "development", "never-created-" + UUID.randomUUID());
        assertThat(catchNothing(() -> control.read(flag))).isEqualTo(FlagState.MISSING);

        FlagControlException set = catchThrowableOfType(FlagControlException.class, () -> control.setPercentage(flag, 5));
        assertThat(set.unavailable()).isFalse();
        assertThat(set.getMessage()).contains(flag.flag()).contains("does not exist");

        FlagControlException off = catchThrowableOfType(FlagControlException.class, () -> control.turnOff(flag));
        assertThat(off.unavailable()).isFalse();
        assertThat(off.getMessage()).contains("does not exist");
    }

    @Test
    void aHandEditInUnleashIsVisible() throws Exception {
        FlagRef flag = newFlag();
        control.setPercentage(flag, 5);
        JsonNode strategy = unleash.strategies(flag.flag()).get(0);

        ObjectNode edited = strategy.deepCopy();
        edited.remove("id");
        edited.withObject("/parameters").put("rollout", "50");
        assertThat(unleash.admin("PUT", strategyPath(flag, strategy.path("id").asText()), edited.toString()).statusCode())
                .isEqualTo(200);
        assertThat(control.read(flag)).isEqualTo(new FlagState(true, true, 50));

        // a hand-disabled strategy gives nobody the flag; setPercentage enables it again (before the environment,
        // else Unleash would add its default 100 % strategy)
        edited.put("disabled", true);
        unleash.admin("PUT", strategyPath(flag, strategy.path("id").asText()), edited.toString());
        unleash.admin("POST", "/admin/projects/default/features/" + flag.flag() + "/environments/development/off", null);
        assertThat(control.read(flag)).isEqualTo(new FlagState(true, false, 0));
        assertThat(control.setPercentage(flag, 50)).isEqualTo(new FlagState(true, true, 50));
        assertThat(unleash.strategies(flag.flag())).hasSize(1);
        assertThat(unleash.strategies(flag.flag()).get(0).path("disabled").asBoolean()).isFalse();
    }

    @Test
    void theStrategyWithTheFlagsGroupIdIsSteeredAndOthersAreLeftAlone() throws Exception {
        FlagRef flag = newFlag();
        for (String groupId : new String[] {"someone-else", flag.flag()}) {
            String body = "{\"name\":\"flexibleRollout\",\"constraints\":[],\"parameters\":{\"rollout\":\"1\","
                    + "\"stickiness\":\"default\",\"groupId\":\"" + groupId + "\"}}";
            assertThat(unleash.admin("POST", strategiesPath(flag), body).statusCode()).isEqualTo(200);
        }
        assertThat(control.setPercentage(flag, 30)).isEqualTo(new FlagState(true, true, 30));
        JsonNode strategies = unleash.strategies(flag.flag());
        assertThat(strategies).hasSize(2);
        for (JsonNode strategy : strategies) {
            boolean ours = strategy.path("parameters").path("groupId").asText().equals(flag.flag());
            assertThat(strategy.path("parameters").path("rollout").asText()).isEqualTo(ours ? "30" : "1");
        }
    }

    @Test
    void aWrongAdminTokenIsARefusalThatNeverShowsTheToken() throws Exception {
        FlagRef flag = newFlag();
        String wrong = "*:*.wrong-secret-" + UUID.randomUUID();
        try (UnleashFlagControl refused = new UnleashFlagControl(config(Optional.of(unleash.apiUrl()), Optional.of(wrong)))) {
            assertThat(refused.isOnline()).isTrue();
            for (ThrowingCall call : new ThrowingCall[] {() -> refused.read(flag), () -> refused.setPercentage(flag, 5),
                    () -> refused.turnOff(flag)}) {
                FlagControlException e = catchThrowableOfType(FlagControlException.class, call::run);
                assertThat(e.unavailable()).isFalse();
                assertThat(e.getMessage()).contains("token").doesNotContain(wrong).doesNotContain("wrong-secret");
                assertThat(String.valueOf(e.getCause())).doesNotContain("wrong-secret");
            }
        }
        assertThat(control.read(flag)).isEqualTo(new FlagState(true, false, null));
    }

    @Test
    void theCatalogListsProjectsEnvironmentsAndLiveFlagsAndSaysWhyWhenItCannot() throws Exception {
        FlagRef flag = newFlag();
        FlagRef archived = newFlag();
        unleash.admin("DELETE", "/admin/projects/" + UnleashServer.PROJECT + "/features/" + archived.flag(), null);
        try (UnleashFlagCatalog catalog = new UnleashFlagCatalog(config(Optional.of(unleash.apiUrl()),
                Optional.of(unleash.adminToken())))) {
            assertThat(catalog.configured()).isTrue();
            assertThat(catalog.projects()).contains(UnleashServer.PROJECT);
            assertThat(catalog.environments(UnleashServer.PROJECT)).contains(UnleashServer.ENVIRONMENT);
            assertThat(catalog.flags(UnleashServer.PROJECT)).contains(flag.flag()).doesNotContain(archived.flag()).isSorted();
        }
        String wrong = "*:*.wrong-secret-" + UUID.randomUUID();
        try (UnleashFlagCatalog refused = new UnleashFlagCatalog(config(Optional.of(unleash.apiUrl()), Optional.of(wrong)))) {
            FlagControlException e = catchThrowableOfType(FlagControlException.class, refused::projects);
            assertThat(e.unavailable()).isFalse();
            assertThat(e.getMessage()).contains("token").doesNotContain("wrong-secret");
        }
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (UnleashFlagCatalog unreachable = new UnleashFlagCatalog(config(Optional.of("http://127.0.0.1:" + closed + "/api"),
                Optional.of(unleash.adminToken())))) {
            long start = System.nanoTime();
            FlagControlException e = catchThrowableOfType(FlagControlException.class, () -> unreachable.flags("default"));
            // one request, no retries: within the request timeout
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(e.unavailable()).isTrue();
            assertThat(e.getMessage()).contains("did not answer").doesNotContain(unleash.adminToken());
        }
        try (UnleashFlagCatalog unconfigured = new UnleashFlagCatalog(config(Optional.empty(), Optional.empty()))) {
            assertThat(unconfigured.configured()).isFalse();
            assertThat(catchThrowableOfType(FlagControlException.class, unconfigured::projects).getMessage())
                    .startsWith("Unleash is not configured");
        }
    }

    @Test
    void withoutUrlOrTokenEveryCallSaysNotConfigured() {
        for (UnleashConfig config : new UnleashConfig[] {config(Optional.empty(), Optional.empty()),
                config(Optional.of(unleash.apiUrl()), Optional.empty()), config(Optional.empty(), Optional.of("*:*.x")),
                config(Optional.of(" "), Optional.of(""))}) {
            try (UnleashFlagControl unconfigured = new UnleashFlagControl(config)) {
                assertThat(unconfigured.configured()).isFalse();
                assertThat(unconfigured.isOnline()).isFalse();
                FlagRef flag = new FlagRef("default", "development", "any");
                for (ThrowingCall call : new ThrowingCall[] {() -> unconfigured.read(flag),
                        () -> unconfigured.setPercentage(flag, 5), () -> unconfigured.turnOff(flag)}) {
                    FlagControlException e = catchThrowableOfType(FlagControlException.class, call::run);
                    assertThat(e.unavailable()).isFalse();
                    assertThat(e.getMessage()).isEqualTo(
                            "Unleash is not configured: set BELLWETHER_UNLEASH_URL and BELLWETHER_UNLEASH_ADMIN_TOKEN");
                }
            }
        }
        try (UnleashFlagControl malformed = new UnleashFlagControl(config(Optional.of("127.0.0.1:4242/api"), Optional.of("t")))) {
            assertThat(malformed.configured()).isFalse();
            FlagControlException e = catchThrowableOfType(FlagControlException.class,
                    () -> malformed.read(new FlagRef("default", "development", "any")));
            assertThat(e.getMessage()).contains("not configured").contains("BELLWETHER_UNLEASH_URL");
        }
    }

    @Test
    void unleashStoppedMidRolloutIsAnOutageAfterRetriesAndWorksAgainOnceBack() throws Exception {
        FlagRef flag = newFlag();
        control.setPercentage(flag, 5);
        unleash.stop();
        try {
            assertThat(control.isOnline()).isFalse();
            long start = System.nanoTime();
            FlagControlException read = catchThrowableOfType(FlagControlException.class, () -> control.read(flag));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(read.unavailable()).isTrue();
            assertThat(read.getMessage()).contains("unavailable").contains("3 attempts").contains("reading " + flag);
            assertThat(elapsedMs).as("two backoffs of 50 and 100 ms").isGreaterThanOrEqualTo(150);

            FlagControlException set = catchThrowableOfType(FlagControlException.class, () -> control.setPercentage(flag, 25));
            assertThat(set.unavailable()).isTrue();
            FlagControlException off = catchThrowableOfType(FlagControlException.class, () -> control.turnOff(flag));
            assertThat(off.unavailable()).isTrue();
            assertThat(read.getMessage() + set.getMessage() + off.getMessage()).doesNotContain(unleash.adminToken());
        } finally {
            long t0 = System.nanoTime();
            unleash.start();
            System.out.printf("[UnleashFlagControlTest] Unleash restart on its database %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
        }
        assertThat(control.isOnline()).isTrue();
        assertThat(control.read(flag)).isEqualTo(new FlagState(true, true, 5));
        assertThat(control.setPercentage(flag, 25)).isEqualTo(new FlagState(true, true, 25));
    }

    /** Against a stub server: what real Unleash cannot easily be made to do (5xx, hanging, a 404 that is no Unleash). */
    @Test
    void fiveHundredsAndTimeoutsAreRetriedButRefusalsAreNot() throws Exception {
        String feature = """
                {"name":"f","environments":[{"name":"development","enabled":true,"strategies":[
                  {"id":"s1","name":"flexibleRollout","parameters":{"rollout":"7","stickiness":"default","groupId":"f"}}]}]}""";
        Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
        AtomicInteger requests = new AtomicInteger();
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ExecutorService handlers = Executors.newCachedThreadPool();
        stub.setExecutor(handlers);
        stub.createContext("/api/admin/projects/default/features/", exchange -> {
            requests.incrementAndGet();
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            if (exchange.getRequestURI().getPath().endsWith("/slow")) {
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Integer status = statuses.poll();
            String body = status == null ? feature : status == 404 ? "<html>not here</html>" : "{\"message\":\"status " + status + "\"}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", status != null && status == 404 ? "text/html" : "application/json");
            exchange.sendResponseHeaders(status == null ? 200 : status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        stub.start();
        String url = "http://127.0.0.1:" + stub.getAddress().getPort() + "/api";
        try (UnleashFlagControl stubbed = new UnleashFlagControl(new TestConfig(Optional.of(url), Optional.of("*:*.stub-token"),
                Optional.empty(), Duration.ofMillis(300), 3, Duration.ofMillis(20)))) {
            FlagRef flag = new FlagRef("default", "development", "f");

            statuses.addAll(List.of(503, 502));
            assertThat(stubbed.read(flag)).isEqualTo(new FlagState(true, true, 7));
            assertThat(requests.getAndSet(0)).isEqualTo(3);
            assertThat(authorizations).containsOnly("*:*.stub-token");

            statuses.addAll(List.of(500, 500, 500, 500));
            FlagControlException down = catchThrowableOfType(FlagControlException.class, () -> stubbed.setPercentage(flag, 9));
            assertThat(down.unavailable()).isTrue();
            assertThat(down.getMessage()).contains("HTTP 500").contains("setting " + flag);
            assertThat(requests.getAndSet(0)).isEqualTo(3);
            statuses.clear();

            for (int status : new int[] {400, 401, 403, 409, 404}) {
                statuses.add(status);
                FlagControlException refused = catchThrowableOfType(FlagControlException.class, () -> stubbed.read(flag));
                assertThat(refused.unavailable()).as("HTTP %d", status).isFalse();
                assertThat(requests.getAndSet(0)).as("HTTP %d is not retried", status).isEqualTo(1);
                assertThat(refused.getMessage()).doesNotContain("stub-token");
            }

            long start = System.nanoTime();
            FlagControlException slow = catchThrowableOfType(FlagControlException.class,
                    () -> stubbed.read(new FlagRef("default", "development", "slow")));
            assertThat(slow.unavailable()).isTrue();
            assertThat(requests.getAndSet(0)).isEqualTo(3);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1400));
        } finally {
            stub.stop(0);
            handlers.shutdownNow();
        }
    }

    /**
     * A connection that dies in the middle of an exchange (Unleash killed, a proxy or load balancer resetting it):
     * Vert.x reports it with its own unchecked exception, not the client's ProcessingException. Still an outage.
     */
    @Test
    void aConnectionClosedBeforeOrDuringTheAnswerIsAnOutage() throws Exception {
        for (String cut : new String[] {"", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"name\":"}) {
            AtomicInteger requests = new AtomicInteger();
            try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
                Thread acceptor = new Thread(() -> {
                    while (!server.isClosed()) {
                        try (java.net.Socket connection = server.accept()) {
                            byte[] request = new byte[8192];
                            connection.getInputStream().read(request);
                            requests.incrementAndGet();
                            connection.getOutputStream().write(cut.getBytes(StandardCharsets.UTF_8));
                            connection.getOutputStream().flush();
                        } catch (java.io.IOException closed) {
                            // the test is over, or the client went away first
                        }
                    }
                });
                acceptor.setDaemon(true);
                acceptor.start();
                String url = "http://127.0.0.1:" + server.getLocalPort() + "/api";
                try (UnleashFlagControl cutOff = new UnleashFlagControl(new TestConfig(Optional.of(url),
                        Optional.of("*:*.cut-token"), Optional.empty(), Duration.ofSeconds(2), 2, Duration.ofMillis(20)))) {
                    FlagRef flag = new FlagRef("default", "development", "f");
                    for (ThrowingCall call : List.<ThrowingCall>of(() -> cutOff.read(flag), () -> cutOff.turnOff(flag),
                            () -> cutOff.setPercentage(flag, 5))) {
                        FlagControlException outage = catchThrowableOfType(FlagControlException.class, call::run);
                        assertThat(outage).as("cut off after %d bytes of the answer", cut.length()).isNotNull();
                        assertThat(outage.unavailable()).isTrue();
                        assertThat(outage.getMessage()).contains("2 attempts").doesNotContain("cut-token");
                    }
                    assertThat(requests.get()).as("each operation tried twice").isEqualTo(6);
                }
            }
        }
    }

    // --- helpers ---

    @FunctionalInterface
    private interface ThrowingCall {
        Object run() throws Exception;
    }

    private static FlagState catchNothing(ThrowingCall call) {
        try {
            return (FlagState) call.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static FlagRef newFlag() throws Exception {
        String name = "bw-" + UUID.randomUUID().toString().substring(0, 8);
        unleash.createFlag(name);
        return new FlagRef(UnleashServer.PROJECT, UnleashServer.ENVIRONMENT, name);
    }

    private static String strategiesPath(FlagRef flag) {
        return "/admin/projects/" + flag.project() + "/features/" + flag.flag() + "/environments/" + flag.environment()
                + "/strategies";
    }

    private static String strategyPath(FlagRef flag, String id) {
        return strategiesPath(flag) + "/" + id;
    }

    static UnleashConfig config(Optional<String> url, Optional<String> adminToken) {
        return new TestConfig(url, adminToken, Optional.empty(), Duration.ofSeconds(2), 3, Duration.ofMillis(50));
    }

    /** A hand-made configuration: short timeout and backoff, so that outage tests take well under a second. */
    record TestConfig(Optional<String> url, Optional<String> adminToken, Optional<String> clientToken,
            Duration requestTimeout, int retryAttempts, Duration retryBackoff) implements UnleashConfig {
    }
}
