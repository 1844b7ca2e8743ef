//! Patients and their phone numbers.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{now_ms, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum LineType {
    Mobile,
    Landline,
    Unknown,
}

impl LineType {
    fn as_sql(self) -> &'static str {
        match self {
            LineType::Mobile => "mobile",
            LineType::Landline => "landline",
            LineType::Unknown => "unknown",
        }
    }

    fn from_sql(value: &str) -> Self {
        match value {
            "mobile" => LineType::Mobile,
            "landline" => LineType::Landline,
            _ => LineType::Unknown,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PatientPhone {
    pub e164: String,
    pub line_type: LineType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub preferred_language: String,
    pub time_zone: Option<String>,
    pub phones: Vec<PatientPhone>,
}

/// A patient ready to store: already validated and normalised by the caller.
#[derive(Debug, Clone)]
pub struct PatientRecord {
    pub first_name: String,
    pub last_name: String,
    pub preferred_language: String,
    pub time_zone: Option<String>,
    pub phone_e164: String,
    pub line_type: LineType,
}

impl Store {
    /// Adds a patient. A number that texted in before it was on file already has a stub
    /// contact; that stub becomes this patient, keeping its conversation.
    pub fn insert_patient(&self, record: &PatientRecord) -> Result<Patient, StoreError> {
        let now = now_ms();
        let id = self.write(|tx| insert_patient_in(tx, record, now).map_err(|e| self.err(e)))?;
        self.patient(id)?.ok_or_else(|| StoreError::NotFound {
            what: format!("patient {id}"),
        })
    }

    pub fn patient(&self, id: i64) -> Result<Option<Patient>, StoreError> {
        Ok(self
            .patients_where("WHERE p.id = ?1", params![id])?
            .into_iter()
            .next())
    }

    /// Which patient, if any, owns this number.
    pub fn patient_id_by_phone(&self, e164: &str) -> Result<Option<i64>, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT patient_id FROM patient_phones WHERE e164 = ?1",
                [e164],
                |row| row.get(0),
            )
            .optional()
        })
    }

    /// Patients on file (contact stubs for unknown numbers are listed in the inbox only).
    pub fn list_patients(&self) -> Result<Vec<Patient>, StoreError> {
        self.patients_where("WHERE p.is_stub = 0", params![])
    }

    fn patients_where(
        &self,
        filter: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<Patient>, StoreError> {
        let sql = format!(
            "SELECT p.id, p.first_name, p.last_name, p.preferred_language, p.time_zone, \
                    ph.e164, ph.line_type \
             FROM patients p LEFT JOIN patient_phones ph ON ph.patient_id = p.id \
             {filter} \
             ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, p.id, \
                      ph.is_primary DESC, ph.id"
        );
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(args)?;
            let mut patients: Vec<Patient> = Vec::new();
            while let Some(row) = rows.next()? {
                let id: i64 = row.get(0)?;
                if patients.last().map(|p| p.id) != Some(id) {
                    patients.push(Patient {
                        id,
                        first_name: row.get(1)?,
                        last_name: row.get(2)?,
                        preferred_language: row.get(3)?,
                        time_zone: row.get(4)?,
                        phones: Vec::new(),
                    });
                }
                if let Some(e164) = row.get::<_, Option<String>>(5)? {
                    let line_type: String = row.get(6)?;
                    if let Some(patient) = patients.last_mut() {
                        patient.phones.push(PatientPhone {
                            e164,
                            line_type: LineType::from_sql(&line_type),
                        });
                    }
                }
            }
            Ok(patients)
        })
    }
}

/// Adds a patient inside the caller's transaction (a booking or an import stores the patient
/// with the appointment). A number that texted in before it was on file already has a stub
/// contact; that stub becomes this patient, keeping its conversation.
pub(crate) fn insert_patient_in(
    tx: &rusqlite::Transaction<'_>,
    record: &PatientRecord,
    now: i64,
) -> rusqlite::Result<i64> {
    let stub: Option<i64> = tx
        .query_row(
            "SELECT p.id FROM patients p JOIN patient_phones ph ON ph.patient_id = p.id \
             WHERE ph.e164 = ?1 AND p.is_stub = 1",
            [&record.phone_e164],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(id) = stub {
        tx.execute(
            "UPDATE patients SET first_name = ?2, last_name = ?3, preferred_language = ?4, \
             time_zone = ?5, is_stub = 0, updated_at = ?6 WHERE id = ?1",
            params![
                id,
                record.first_name,
                record.last_name,
                record.preferred_language,
                record.time_zone,
                now
            ],
        )?;
        tx.execute(
            "UPDATE patient_phones SET line_type = ?2 WHERE e164 = ?1",
            params![record.phone_e164, record.line_type.as_sql()],
        )?;
        return Ok(id);
    }
    tx.execute(
        "INSERT INTO patients (first_name, last_name, preferred_language, time_zone, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![
            record.first_name,
            record.last_name,
            record.preferred_language,
            record.time_zone,
            now
        ],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO patient_phones (patient_id, e164, line_type, created_at) \
         VALUES (?1, ?2, ?3, ?4)",
        params![id, record.phone_e164, record.line_type.as_sql(), now],
    )?;
    tx.execute(
        "UPDATE threads SET patient_id = ?1 WHERE phone = ?2",
        params![id, record.phone_e164],
    )?;
    Ok(id)
}
