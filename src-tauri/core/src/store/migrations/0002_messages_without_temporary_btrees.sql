-- Version 2: storing a text no longer builds a temporary b-tree per row.
--
-- SQLite evaluates `x IN (three or more constants)` by filling a temporary b-tree each time the
-- statement runs, and a CHECK constraint or partial-index predicate runs once per inserted row:
-- version 1's messages table paid for two of them on every text ingested, about a third of the
-- cost of a back-fill. A chain of equalities means the same and costs a few comparisons. SQLite
-- cannot change a CHECK constraint in place, so the table is rebuilt with its rows and ids.
--
-- This is SQLite's documented way to change a table's definition: create the new table, copy,
-- drop the old one, rename. Foreign keys are off while it runs (staff_flags refers to messages by
-- name and must keep doing so), and the migration runner checks every foreign key before the
-- transaction commits.
CREATE TABLE messages_v2 (
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
    -- What a patient's text asks of the clinic (a HELP, an answer to an appointment text, an
    -- opt-out in plain words), set when it is stored and cleared once acted on, so a crash in
    -- between only delays the action.
    pending_action TEXT CHECK (pending_action = 'help' OR pending_action = 'confirm'
                              OR pending_action = 'reschedule' OR pending_action = 'cancel_request'
                              OR pending_action = 'plain_words_opt_out'),
    CHECK (sid IS NOT NULL OR outbox_id IS NOT NULL)
);

INSERT INTO messages_v2 (
    id, sid, outbox_id, direction, from_number, to_number, thread_phone, body, status, error_code,
    error_message, num_segments, price, price_unit, created_at, sent_at, updated_at, read_at,
    pending_action)
SELECT
    id, sid, outbox_id, direction, from_number, to_number, thread_phone, body, status, error_code,
    error_message, num_segments, price, price_unit, created_at, sent_at, updated_at, read_at,
    pending_action
FROM messages;
DROP TABLE messages;
ALTER TABLE messages_v2 RENAME TO messages;

CREATE INDEX messages_thread ON messages (thread_phone, created_at, id);
-- Most rows come from Twilio and have no outbox text: index only those that do.
CREATE UNIQUE INDEX messages_outbox ON messages (outbox_id) WHERE outbox_id IS NOT NULL;
-- Patients' texts still waiting to be acted on.
CREATE INDEX messages_pending_action ON messages (id) WHERE pending_action IS NOT NULL;
-- Outbound texts whose status may still change: refreshed by SID. Final ones (nearly all of a
-- back-filled history) stay out of the index. `Store::unfinished_outbound_sids` spells this
-- predicate the same way, or the planner would not use the index.
CREATE INDEX messages_unfinished ON messages (created_at)
    WHERE direction = 'outbound'
      AND (status = 'pending' OR status = 'accepted' OR status = 'scheduled' OR status = 'queued'
           OR status = 'sending' OR status = 'sent' OR status = 'unknown');
