-- What readers of the workbench said about spans: a detector's span marked right or
-- wrong, or a span the detector missed, added with its technique.  Offsets index the
-- stored (normalised) text, as spans' do; `reader` is the name the reader gave.
CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY,
    text_id    INTEGER NOT NULL REFERENCES texts(id),
    verdict    TEXT NOT NULL CHECK (verdict IN ('right', 'wrong', 'missing')),
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL,
    technique  TEXT,
    detector   TEXT,
    reader     TEXT NOT NULL,
    created    TEXT NOT NULL,
    CHECK (0 <= start_char AND start_char < end_char)
);
CREATE INDEX feedback_text ON feedback(text_id);
