package dev.bellwether.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bellwether.platform.AfterTransaction;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Resolves bearer tokens to callers: the bootstrap admin token from configuration, and tokens created by the API.
 * Lookups are cached briefly; a revocation is seen at once here and within the cache lifetime on other replicas.
 */
@ApplicationScoped
public class TokenAuthenticator {

    static final Duration CACHE_LIFETIME = Duration.ofSeconds(10);

    private final Optional<byte[]> bootstrapAdminHash;
    private final Cache<ByteBuffer, Optional<Caller>> cache = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(CACHE_LIFETIME).build();

    private final TransactionSynchronizationRegistry transactions;

    public TokenAuthenticator(@ConfigProperty(name = "bellwether.admin-token") Optional<String> bootstrapAdminToken,
            TransactionSynchronizationRegistry transactions) {
        this.transactions = transactions;
        this.bootstrapAdminHash = bootstrapAdminToken.filter(t -> !t.isBlank()).map(Secrets::hash);
    }

    public Optional<Caller> authenticate(String token) {
        return authenticateHash(Secrets.hash(token));
    }

    /** As {@link #authenticate}, for a token known only by its hash (a console session keeps no token). */
    public Optional<Caller> authenticateHash(byte[] hash) {
        if (bootstrapAdminHash.isPresent() && MessageDigest.isEqual(bootstrapAdminHash.get(), hash)) {
            return Optional.of(new Caller("bootstrap-admin", Role.ADMIN));
        }
        return cache.get(ByteBuffer.wrap(hash), key -> QuarkusTransaction.requiringNew().call(
                () -> ApiToken.findActiveByHash(hash).map(t -> new Caller(t.name, t.role))));
    }

    /** Forgets a token now and once the caller's transaction has ended (see AppDirectory#forgetAll). */
    public void forget(byte[] tokenHash) {
        AfterTransaction.nowAndAfter(transactions, () -> cache.invalidate(ByteBuffer.wrap(tokenHash)));
    }
}
