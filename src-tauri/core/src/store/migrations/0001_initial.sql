-- Schema 1: the whole data model of Clinic Desk.
-- Times are INTEGER milliseconds since the Unix epoch, UTC, so they sort and compare cheaply;
-- zones are IANA names kept beside the times that need them.

CREATE TABLE patients (
    id                 INTEGER PRIMARY KEY,
    first_name         TEXT    NOT NULL CHECK (length(trim(first_name)) > 0),
    last_name          TEXT    NOT NULL DEFAULT '',
    preferred_language TEXT    NOT NULL DEFAULT 'en',
    time_zone          TEXT,              -- NULL: the clinic's zone
    -- A stub is created for a number that texted us before it was on file.
    is_stub            INTEGER NOT NULL DEFAULT 0 CHECK (is_stub IN (0, 1)),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

CREATE TABLE patient_phones (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    e164        TEXT    NOT NULL UNIQUE CHECK (e164 GLOB '+[1-9][0-9]*' AND length(e164) <= 16),
    line_type   TEXT    NOT NULL DEFAULT 'unknown' CHECK (line_type IN ('mobile', 'landline', 'unknown')),
    is_primary  INTEGER NOT NULL DEFAULT 1 CHECK (is_primary IN (0, 1)),
    created_at  INTEGER NOT NULL
);
CREATE INDEX patient_phones_patient ON patient_phones (patient_id);

CREATE TABLE appointments (
    id               INTEGER PRIMARY KEY,
    patient_id       INTEGER NOT NULL REFERENCES patients (id),
    starts_at        INTEGER NOT NULL,                 -- UTC
    time_zone        TEXT    NOT NULL,                 -- the clinic's zone when booked
    duration_minutes INTEGER NOT NULL DEFAULT 30 CHECK (duration_minutes > 0),
    provider         TEXT    NOT NULL DEFAULT '',
    location         TEXT    NOT NULL DEFAULT '',
    status           TEXT    NOT NULL DEFAULT 'booked'
                     CHECK (status IN ('booked', 'cancelled', 'arrived', 'no_show', 'completed')),
    confirmation     TEXT    NOT NULL DEFAULT 'unconfirmed'
                     CHECK (confirmation IN ('unconfirmed', 'confirmed', 'reschedule_requested', 'cancel_requested')),
    -- Natural key of an imported row, so importing the same file twice adds nothing.
    import_key       TEXT    UNIQUE,
    -- Bumped whenever the start time changes: part of the automated texts' once_key, so a
    -- reschedule (even back to an earlier time) re-arms the confirmation and reminders.
    schedule_rev     INTEGER NOT NULL DEFAULT 0 CHECK (schedule_rev >= 0),
    -- When the current start time was set: a reminder whose moment came before it is covered by
    -- the confirmation sent then.
    start_set_at     INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX appointments_start ON appointments (starts_at);
CREATE INDEX appointments_patient ON appointments (patient_id, starts_at);

-- The clinic's own wording of a text template, one per kind and language; kinds and languages
-- without a row use the built-in default.
CREATE TABLE templates (
    kind       TEXT    NOT NULL
               CHECK (kind IN ('confirmation', 'reminder', 'running_late', 'intake_form', 'directions')),
    language   TEXT    NOT NULL CHECK (length(language) BETWEEN 2 AND 35),
    body       TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 1600),
    updated_by TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, language)
);

-- Outbox: a text is a row here before it is a request to Twilio.
CREATE TABLE outbox (
    id                    INTEGER PRIMARY KEY,
    to_number             TEXT    NOT NULL,
    from_number           TEXT,
    messaging_service_sid TEXT,
    body                  TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 1600),
    kind                  TEXT    NOT NULL
                          CHECK (kind IN ('manual', 'confirmation', 'reminder', 'bulk', 'auto_reply', 'test')),
    state                 TEXT    NOT NULL
                          CHECK (state IN ('queued', 'sending', 'submitted', 'held', 'blocked', 'failed', 'cancelled')),
    attempts              INTEGER NOT NULL DEFAULT 0,
    next_attempt_at       INTEGER NOT NULL,
    -- Set when a request went out: an unanswered request is reconciled against Twilio's list
    -- from this moment before any retry.
    sending_since         INTEGER,
    last_error_code       TEXT,
    last_error            TEXT,
    hold_reason           TEXT,
    sid                   TEXT    UNIQUE,
    appointment_id        INTEGER REFERENCES appointments (id),
    override_by           TEXT,
    override_reason       TEXT,
    -- Automation's dedupe key (e.g. one reminder per appointment, rule and start time): a second
    -- scheduler, a restart or another process on this database queues nothing twice.
    once_key              TEXT    UNIQUE,
    created_by            TEXT    NOT NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_appointment ON outbox (appointment_id) WHERE appointment_id IS NOT NULL;

-- One row per Twilio message, and one per outbox text before Twilio has given it a SID.
CREATE TABLE messages (
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
    pending_action TEXT CHECK (pending_action IN ('help', 'confirm', 'reschedule', 'cancel_request', 'plain_words_opt_out')),
    CHECK (sid IS NOT NULL OR outbox_id IS NOT NULL)
);
CREATE INDEX messages_thread ON messages (thread_phone, created_at, id);
-- Most rows come from Twilio and have no outbox text: index only those that do.
CREATE UNIQUE INDEX messages_outbox ON messages (outbox_id) WHERE outbox_id IS NOT NULL;
-- Outbound texts whose status may still change: refreshed by SID. Final ones (nearly all of a
-- back-filled history) stay out of the index.
CREATE INDEX messages_pending_action ON messages (id) WHERE pending_action IS NOT NULL;
CREATE INDEX messages_unfinished ON messages (created_at)
    WHERE direction = 'outbound'
      AND status IN ('pending', 'accepted', 'scheduled', 'queued', 'sending', 'sent', 'unknown');

-- Inbox summary per patient number, kept current on every message write so a 20,000-thread
-- inbox never aggregates the messages table.
CREATE TABLE threads (
    phone          TEXT    PRIMARY KEY,
    patient_id     INTEGER REFERENCES patients (id) ON DELETE SET NULL,
    last_at        INTEGER NOT NULL,
    last_body      TEXT    NOT NULL,
    last_direction TEXT    NOT NULL CHECK (last_direction IN ('inbound', 'outbound')),
    unread         INTEGER NOT NULL DEFAULT 0 CHECK (unread >= 0),
    flagged        INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1))
);
CREATE INDEX threads_last ON threads (last_at DESC);

-- Opt-in/out history per number; the latest event is the number's state. Derived from the same
-- inbound messages on every workstation, hence unique per source message.
CREATE TABLE opt_events (
    id          INTEGER PRIMARY KEY,
    phone       TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('opt_out', 'opt_in')),
    source      TEXT    NOT NULL CHECK (source IN ('keyword', 'twilio_21610', 'staff')),
    keyword     TEXT,
    message_sid TEXT,
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    UNIQUE (message_sid, kind)
);
CREATE INDEX opt_events_phone ON opt_events (phone, at);

-- Texts staff must look at: an opt-out in plain words to confirm, a reschedule or cancellation
-- request, an answer that could mean more than one appointment. One per message and reason.
CREATE TABLE staff_flags (
    id             INTEGER PRIMARY KEY,
    phone          TEXT    NOT NULL,
    message_id     INTEGER NOT NULL REFERENCES messages (id),
    reason         TEXT    NOT NULL CHECK (reason IN ('plain_words_opt_out', 'reschedule_requested', 'cancel_requested', 'ambiguous_reply')),
    appointment_id INTEGER REFERENCES appointments (id),
    created_at     INTEGER NOT NULL,
    resolved_at    INTEGER,
    resolved_by    TEXT,
    resolution     TEXT    CHECK (resolution IN ('opted_out', 'dismissed', 'done')),
    UNIQUE (message_id, reason)
);
CREATE INDEX staff_flags_open ON staff_flags (phone) WHERE resolved_at IS NULL;

CREATE TABLE consent_events (
    id     INTEGER PRIMARY KEY,
    phone  TEXT    NOT NULL,
    kind   TEXT    NOT NULL CHECK (kind IN ('granted', 'revoked')),
    method TEXT    NOT NULL CHECK (method IN ('form', 'verbal', 'text')),
    actor  TEXT    NOT NULL,
    note   TEXT    NOT NULL DEFAULT '',
    at     INTEGER NOT NULL
);
CREATE INDEX consent_events_phone ON consent_events (phone, at);

-- Append-only and hash-chained: each row's hash covers the previous row's hash and its own fields.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    subject   TEXT    NOT NULL DEFAULT '',
    detail    TEXT    NOT NULL DEFAULT '{}',
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL UNIQUE
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Twilio account of this clinic; the secret only as an encrypted envelope.
CREATE TABLE credentials (
    id                    INTEGER PRIMARY KEY CHECK (id = 1),
    account_sid           TEXT    NOT NULL,
    api_key_sid           TEXT,
    secret_envelope       BLOB    NOT NULL,
    from_number           TEXT,
    messaging_service_sid TEXT,
    api_base              TEXT    NOT NULL,
    updated_at            INTEGER NOT NULL,
    CHECK (from_number IS NOT NULL OR messaging_service_sid IS NOT NULL)
);

-- The admin passphrase as an argon2 PHC string (never the passphrase), and the wrong attempts in
-- a row that lock admin access; kept here so a restart does not lift a lockout.
CREATE TABLE admin_access (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    passphrase_hash TEXT    NOT NULL CHECK (passphrase_hash LIKE '$argon2%'),
    failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until    INTEGER NOT NULL DEFAULT 0,       -- epoch ms; 0 = never locked
    updated_at      INTEGER NOT NULL
);

-- Poller positions (per direction, per pass) survive restarts.
CREATE TABLE sync_cursors (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
