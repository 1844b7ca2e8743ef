-- Version 3: what patients' texts ask of the clinic gets a table of its own, and storing a
-- number's contact row no longer fills a temporary b-tree.
--
-- A text's pending action was a column of its row, so clearing it rewrote the row: acting on a
-- catch-up's few thousand old answers rewrote a page of the messages table for nearly every one
-- of them (3.8 MB for 3,700 answers among 50,000 texts), and the WAL, its checkpoint and their
-- fsyncs paid for each page again. In a table of their own, the actions waiting are a few pages,
-- and acting on them empties those.
--
-- patient_phones checked its line type with `IN (three values)`, which SQLite evaluates by
-- filling a temporary b-tree for every row stored (see version 2), and a first back-fill stores
-- a contact stub for every number it has not seen, thousands at once. A chain of equalities
-- means the same.
--
-- Both tables are rebuilt the way version 2 rebuilt messages, keeping their rows and ids.
CREATE TABLE pending_actions (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    -- Set when the text is stored and deleted once acted on, in the same transactions as the
    -- text and the action's effect, so a crash in between only delays the action.
    action     TEXT    NOT NULL CHECK (action = 'help' OR action = 'confirm'
                                       OR action = 'reschedule' OR action = 'cancel_request'
                                       OR action = 'plain_words_opt_out')
);
INSERT INTO pending_actions (message_id, action)
SELECT id, pending_action FROM messages WHERE pending_action IS NOT NULL;

CREATE TABLE messages_v3 (
    id            INTEGER PRIMARY KEY,
    sid           TEXT    UNIQUE,
    outbox_id     INTEGER REFERENCES outbox (id),
    direction     TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    from_number   TEXT    NOT NULL,
    to_number     TEXT    NOT NULL,
    -- The patient's side of the conversation: the thread this message belongs to.
    thread_phone  TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    error_code    INTEGER,
    error_message TEXT,
    num_segments  INTEGER,
    price         TEXT,
    price_unit    TEXT,
    created_at    INTEGER NOT NULL,
    sent_at       INTEGER,
    updated_at    INTEGER NOT NULL,
    read_at       INTEGER,
    CHECK (sid IS NOT NULL OR outbox_id IS NOT NULL)
);
INSERT INTO messages_v3 (
    id, sid, outbox_id, direction, from_number, to_number, thread_phone, body, status, error_code,
    error_message, num_segments, price, price_unit, created_at, sent_at, updated_at, read_at)
SELECT
    id, sid, outbox_id, direction, from_number, to_number, thread_phone, body, status, error_code,
    error_message, num_segments, price, price_unit, created_at, sent_at, updated_at, read_at
FROM messages;
DROP TABLE messages;
ALTER TABLE messages_v3 RENAME TO messages;

CREATE INDEX messages_thread ON messages (thread_phone, created_at, id);
-- Most rows come from Twilio and have no outbox text: index only those that do.
CREATE UNIQUE INDEX messages_outbox ON messages (outbox_id) WHERE outbox_id IS NOT NULL;
-- Outbound texts whose status may still change: refreshed by SID. Final ones (nearly all of a
-- back-filled history) stay out of the index. `Store::unfinished_outbound_sids` spells this
-- predicate the same way, or the planner would not use the index.
CREATE INDEX messages_unfinished ON messages (created_at)
    WHERE direction = 'outbound'
      AND (status = 'pending' OR status = 'accepted' OR status = 'scheduled' OR status = 'queued'
           OR status = 'sending' OR status = 'sent' OR status = 'unknown');

CREATE TABLE patient_phones_v3 (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    e164        TEXT    NOT NULL UNIQUE CHECK (e164 GLOB '+[1-9][0-9]*' AND length(e164) <= 16),
    line_type   TEXT    NOT NULL DEFAULT 'unknown'
                        CHECK (line_type = 'mobile' OR line_type = 'landline' OR line_type = 'unknown'),
    is_primary  INTEGER NOT NULL DEFAULT 1 CHECK (is_primary IN (0, 1)),
    created_at  INTEGER NOT NULL
);
INSERT INTO patient_phones_v3 (id, patient_id, e164, line_type, is_primary, created_at)
SELECT id, patient_id, e164, line_type, is_primary, created_at FROM patient_phones;
DROP TABLE patient_phones;
ALTER TABLE patient_phones_v3 RENAME TO patient_phones;
CREATE INDEX patient_phones_patient ON patient_phones (patient_id);
