//! What the sending rules need to know about a number: the patient's own time zone and whether
//! the clinic has ever texted it (the first text carries opt-out instructions).

use rusqlite::OptionalExtension;

use super::{Store, StoreError};

impl Store {
    /// The zone on the patient's record, if one was set.
    pub fn patient_time_zone(&self, phone: &str) -> Result<Option<String>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT p.time_zone FROM patient_phones pp JOIN patients p ON p.id = pp.patient_id \
                 WHERE pp.e164 = ?1",
            )?
            .query_row([phone], |row| row.get::<_, Option<String>>(0))
            .optional()
            .map(Option::flatten)
        })
    }

    /// Whether a text from the clinic to this number exists or is on its way: sent from here,
    /// from another workstation or the console (seen in the list), or waiting in the outbox.
    /// Texts that were blocked, failed or cancelled never reached the patient and do not count.
    pub fn has_texted(&self, phone: &str) -> Result<bool, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM messages m LEFT JOIN outbox o ON o.id = m.outbox_id \
                 WHERE m.thread_phone = ?1 AND m.direction = 'outbound' \
                   AND (o.id IS NULL OR o.state IN ('queued', 'sending', 'submitted', 'held')))",
            )?
            .query_row([phone], |row| row.get(0))
        })
    }
}
