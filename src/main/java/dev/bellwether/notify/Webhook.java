package dev.bellwether.notify;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A webhook of an app, its URL and signing secret sealed ({@link SecretBox}). */
@Entity
@Table(name = "webhook")
public class Webhook extends PanacheEntityBase {

    static final String URL_PURPOSE = "webhook.url";
    static final String SECRET_PURPOSE = "webhook.secret";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "app_id")
    public long appId;

    public String kind;

    @Column(name = "url_sealed")
    public byte[] urlSealed;

    @Column(name = "url_shown")
    public String urlShown;

    @Column(name = "secret_sealed")
    public byte[] secretSealed;

    @Column(name = "secret_prefix")
    public String secretPrefix;

    public String[] events = new String[0];

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "created_at")
    public OffsetDateTime createdAt;

    @Column(name = "last_delivered_at")
    public OffsetDateTime lastDeliveredAt;

    @Column(name = "last_failure_at")
    public OffsetDateTime lastFailureAt;

    @Column(name = "last_failure")
    public String lastFailure;
}
