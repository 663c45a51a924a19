package dev.bellwether.security;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Optional;

@Entity
@Table(name = "api_token")
public class ApiToken extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    @Convert(converter = RoleConverter.class)
    public Role role;

    @Column(name = "token_hash")
    public byte[] tokenHash;

    @Column(name = "token_prefix")
    public String tokenPrefix;

    @Column(name = "created_at", updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;

    public static Optional<ApiToken> findActiveByHash(byte[] hash) {
        return find("tokenHash = ?1 and revokedAt is null", (Object) hash).firstResultOptional();
    }
}
