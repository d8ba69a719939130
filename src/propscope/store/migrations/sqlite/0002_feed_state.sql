-- What `propscope watch` remembers about each feed between polls (HTTP validators for
-- a conditional GET, entry ids already seen), so a restarted watch does not refetch.
CREATE TABLE feed_state (
    feed_url TEXT PRIMARY KEY,
    state    TEXT NOT NULL,
    polled   TEXT NOT NULL
);
