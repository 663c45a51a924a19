package dev.bellwether.apps;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Optional;

/** A key an app's client SDKs send beacons with. Only its SHA-256 is stored. */
@Entity
@Table(name = "ingest_key")
public class IngestKey extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(optional = false)
    @JoinColumn(name = "app_id")
    public App app;

    @Column(name = "key_hash")
    public byte[] keyHash;

    @Column(name = "key_prefix")
    public String keyPrefix;

    /** A label an admin gave the key (which build or site uses it), or null. */
    public String name;

    @Column(name = "created_at", updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;

    public static Optional<IngestKey> findActiveByHash(byte[] hash) {
        return find("keyHash = ?1 and revokedAt is null", (Object) hash).firstResultOptional();
    }
}
