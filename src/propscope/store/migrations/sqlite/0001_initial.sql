-- propscope store, version 1 (SQLite).  Timestamps and dates are ISO-8601 text,
-- JSON columns are text; see docs/storage.md for what each table holds.
CREATE TABLE sources (
    id      INTEGER PRIMARY KEY,
    kind    TEXT NOT NULL,
    locator TEXT NOT NULL UNIQUE,
    added   TEXT NOT NULL
);
CREATE TABLE outlets (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL UNIQUE,
    domain TEXT
);
CREATE TABLE texts (
    id           INTEGER PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,
    text         TEXT NOT NULL,
    offset_map   TEXT,
    raw          BLOB,
    raw_ref      TEXT,
    language     TEXT,
    title        TEXT,
    published    TEXT,
    outlet_id    INTEGER REFERENCES outlets(id),
    meta         TEXT NOT NULL DEFAULT '{}',
    minhash      BLOB,
    added        TEXT NOT NULL
);
CREATE INDEX texts_published ON texts(published);
CREATE TABLE urls (
    id            INTEGER PRIMARY KEY,
    canonical_url TEXT NOT NULL UNIQUE,
    url           TEXT NOT NULL,
    text_id       INTEGER NOT NULL REFERENCES texts(id),
    source_id     INTEGER REFERENCES sources(id),
    section       TEXT,
    fetched       TEXT NOT NULL,
    published     TEXT,
    title         TEXT
);
CREATE INDEX urls_text ON urls(text_id);
CREATE TABLE near_duplicates (
    text_id       INTEGER NOT NULL REFERENCES texts(id),
    other_text_id INTEGER NOT NULL REFERENCES texts(id),
    jaccard       REAL NOT NULL,
    PRIMARY KEY (text_id, other_text_id),
    CHECK (other_text_id < text_id)
);
CREATE TABLE runs (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,
    detector TEXT,
    started  TEXT NOT NULL,
    finished TEXT,
    counts   TEXT NOT NULL DEFAULT '{}',
    errors   TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE analyses (
    text_id  INTEGER NOT NULL REFERENCES texts(id),
    detector TEXT NOT NULL,
    run_id   INTEGER REFERENCES runs(id),
    score    REAL NOT NULL,
    analysed TEXT NOT NULL,
    UNIQUE (text_id, detector)
);
CREATE INDEX analyses_detector ON analyses(detector);
CREATE TABLE spans (
    id         INTEGER PRIMARY KEY,
    text_id    INTEGER NOT NULL REFERENCES texts(id),
    detector   TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL,
    technique  TEXT,
    score      REAL NOT NULL,
    evidence   TEXT NOT NULL DEFAULT '',
    CHECK (start_char >= 0 AND end_char > start_char)
);
CREATE INDEX spans_text ON spans(text_id, detector);
CREATE INDEX spans_technique ON spans(detector, technique);

-- Full-text search over title and text: an external-content FTS5 index kept in step
-- with `texts` by triggers, so the text is stored once.
CREATE VIRTUAL TABLE texts_fts USING fts5(
    title, text, content='texts', content_rowid='id', tokenize='porter unicode61'
);
CREATE TRIGGER texts_fts_insert AFTER INSERT ON texts BEGIN
    INSERT INTO texts_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER texts_fts_delete AFTER DELETE ON texts BEGIN
    INSERT INTO texts_fts(texts_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER texts_fts_update AFTER UPDATE OF title, text ON texts BEGIN
    INSERT INTO texts_fts(texts_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO texts_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
