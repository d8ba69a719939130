-- Access tokens for a workbench that listens beyond loopback (`propscope token`).
-- Only a salted scrypt hash of each token is kept; the token itself is shown once.
CREATE TABLE access_tokens (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    salt    BLOB NOT NULL,
    hash    BLOB NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
);
