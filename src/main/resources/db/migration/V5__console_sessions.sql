-- Console sign-in sessions. The session id lives only in the person's cookie; the row keeps its SHA-256. The API
-- token the person signed in with is kept as its SHA-256 too (as api_token keeps it), so that each request can ask
-- whether that token is still valid, and with which role: a revoked token ends its sessions at their next request.
CREATE TABLE console_session (
    id_hash      bytea       PRIMARY KEY,
    token_hash   bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);
CREATE INDEX console_session_token ON console_session (token_hash, created_at);
CREATE INDEX console_session_last_seen ON console_session (last_seen_at);
