//! Importing appointments from a CSV export (a scheduling system, a spreadsheet).
//!
//! Columns are found by their header, whatever the case, spacing or common synonym ("Mobile",
//! "Cell phone", "Doctor", "Site"). Each row is checked on its own and reported with its line
//! number: a bad row is skipped with the reason and never stops the good ones. Every good row
//! lands in one transaction. A row's natural key (number, start, provider) is stored with it, so
//! importing the same file again adds nothing. Imports send no confirmations: a bulk import would
//! text every patient at once; reminders go out as for any booking.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use chrono_tz::Tz;
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::local_time::{self, LocalTimeError};
use super::split_name;
use crate::clock::Clock;
use crate::composer::phone;
use crate::error::{Error, Result};
use crate::patients::{patient_record, NewPatient};
use crate::settings;
use crate::store::appointments::{AppointmentRecord, Inserted};
use crate::store::Store;

pub const NO_CONFIRMATIONS_NOTE: &str = "No confirmation texts were sent for imported \
     appointments (an import would text every patient at once); reminders go out as usual.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Name,
    FirstName,
    LastName,
    Phone,
    Date,
    Time,
    Start,
    Provider,
    Location,
    Language,
}

impl Field {
    fn label(self) -> &'static str {
        match self {
            Field::Name => "patient name",
            Field::FirstName => "first name",
            Field::LastName => "last name",
            Field::Phone => "phone",
            Field::Date => "date",
            Field::Time => "time",
            Field::Start => "start",
            Field::Provider => "provider",
            Field::Location => "location",
            Field::Language => "language",
        }
    }

    /// The field a header names: letters and digits only, lower case, then known synonyms.
    fn for_header(header: &str) -> Option<Field> {
        let key: String = header
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "name" | "patient" | "patientname" | "fullname" | "patientfullname" => Field::Name,
            "firstname" | "first" | "givenname" | "patientfirstname" => Field::FirstName,
            "lastname" | "last" | "surname" | "familyname" | "patientlastname" => Field::LastName,
            "phone" | "mobile" | "cell" | "phonenumber" | "mobilephone" | "cellphone"
            | "mobilenumber" | "cellnumber" | "patientphone" | "telephone" | "tel" => Field::Phone,
            "date" | "appointmentdate" | "apptdate" | "visitdate" | "day" => Field::Date,
            "time" | "appointmenttime" | "appttime" | "visittime" | "starttime" => Field::Time,
            "start" | "startsat" | "datetime" | "startdatetime" | "appointment"
            | "appointmentstart" | "when" => Field::Start,
            "provider" | "doctor" | "physician" | "clinician" | "practitioner" | "providername" => {
                Field::Provider
            }
            "location" | "site" | "office" | "clinic" | "facility" | "locationname" => {
                Field::Location
            }
            "language" | "lang" | "preferredlanguage" => Field::Language,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Ok,
    Skipped,
}

/// One data row of the file and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportRow {
    /// The line the row starts on, counting the header as line 1 (as a spreadsheet numbers it).
    pub row: u32,
    pub status: RowStatus,
    pub reason: Option<String>,
    pub appointment_id: Option<i64>,
    pub patient_created: bool,
}

/// Which header fed which field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ColumnMapping {
    pub header: String,
    pub field: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub rows: Vec<ImportRow>,
    pub imported: u32,
    pub skipped: u32,
    pub patients_created: u32,
    pub columns: Vec<ColumnMapping>,
    /// Headers that match no field (their values are not used).
    pub ignored_columns: Vec<String>,
    /// Always false: imports do not text patients.
    pub confirmations_sent: bool,
    pub notes: Vec<String>,
}

/// Reads and imports a CSV file.
pub fn import_file(
    store: &Store,
    clock: &dyn Clock,
    path: &Path,
    actor: &str,
) -> Result<ImportReport> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::invalid(
            "file",
            format!("cannot read {}: {e}; check the path", path.display()),
        )
    })?;
    import_csv(store, clock, &bytes, actor)
}

/// Text of the file: UTF-8 (with or without a byte-order mark), else read as Latin-1 with a
/// note, since spreadsheet programs still save that by default.
fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Option<String>)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::invalid(
            "file",
            "the file is UTF-16 text; save it as \"CSV UTF-8\" and import that",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    Ok(match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), None),
        Err(_) => (
            Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
            Some(
                "the file is not UTF-8, so it was read as Latin-1; if names look wrong, save it \
                 as \"CSV UTF-8\" and import again"
                    .to_string(),
            ),
        ),
    })
}

/// The separator the header line uses most: comma, semicolon (European spreadsheets) or tab.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| header.bytes().filter(|b| b == d).count())
        .filter(|d| header.bytes().any(|b| b == *d))
        .unwrap_or(b',')
}

struct Columns {
    index: HashMap<Field, usize>,
}

impl Columns {
    fn get<'r>(&self, record: &'r csv::StringRecord, field: Field) -> &'r str {
        self.index
            .get(&field)
            .and_then(|&i| record.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    fn has(&self, field: Field) -> bool {
        self.index.contains_key(&field)
    }
}

fn map_columns(headers: &csv::StringRecord) -> Result<(Columns, ImportReportHead)> {
    let mut index = HashMap::new();
    let mut columns = Vec::new();
    let mut ignored = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        match Field::for_header(header) {
            Some(field) if !index.contains_key(&field) => {
                index.insert(field, i);
                columns.push(ColumnMapping {
                    header: header.trim().to_string(),
                    field: field.label().to_string(),
                });
            }
            _ if header.trim().is_empty() => {}
            _ => ignored.push(header.trim().to_string()),
        }
    }
    let columns_found = Columns { index };
    let found: Vec<&str> = headers.iter().map(str::trim).collect();
    let missing = |what: &str, examples: &str| {
        Error::invalid(
            "file",
            format!(
                "the file has no {what} column (looked for headers like {examples}); its headers \
                 are: {}",
                found.join(", ")
            ),
        )
    };
    if !columns_found.has(Field::Phone) {
        return Err(missing("phone", "Phone, Mobile or Cell"));
    }
    if !columns_found.has(Field::Name) && !columns_found.has(Field::FirstName) {
        return Err(missing("patient name", "Patient Name, Name or First Name"));
    }
    if !columns_found.has(Field::Start) && !columns_found.has(Field::Date) {
        return Err(missing("date", "Date, Start or Appointment Date"));
    }
    Ok((columns_found, ImportReportHead { columns, ignored }))
}

/// What the header row says: which header feeds which field, and which headers go unused.
struct ImportReportHead {
    columns: Vec<ColumnMapping>,
    ignored: Vec<String>,
}

/// A row ready to store.
struct Prepared {
    row: u32,
    record: AppointmentRecord,
}

/// The key that makes a row importable once: number, start instant and provider (case and
/// spacing ignored).
fn import_key(phone: &str, starts_at: i64, provider: &str) -> String {
    let provider = provider
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let digest = Sha256::digest(format!("{phone}|{starts_at}|{provider}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

struct RowContext<'a> {
    columns: &'a Columns,
    zone: Tz,
    region: &'a str,
    date_order: local_time::DateOrder,
}

/// Checks one row; the error is the reason shown in the report.
fn prepare(
    ctx: &RowContext<'_>,
    record: &csv::StringRecord,
) -> std::result::Result<AppointmentRecord, String> {
    let get = |field| ctx.columns.get(record, field);
    let (first_name, last_name) = match get(Field::Name) {
        "" => (
            get(Field::FirstName).to_string(),
            get(Field::LastName).to_string(),
        ),
        full => split_name(full),
    };
    let separate = ctx.columns.has(Field::Date) && ctx.columns.has(Field::Time);
    let mut missing = Vec::new();
    if first_name.is_empty() {
        missing.push(Field::Name.label());
    }
    if get(Field::Phone).is_empty() {
        missing.push(Field::Phone.label());
    }
    if separate {
        if get(Field::Date).is_empty() {
            missing.push(Field::Date.label());
        }
        if get(Field::Time).is_empty() {
            missing.push(Field::Time.label());
        }
    } else if get(Field::Start).is_empty() && get(Field::Date).is_empty() {
        missing.push(if ctx.columns.has(Field::Start) {
            Field::Start.label()
        } else {
            Field::Date.label()
        });
    }
    match missing.as_slice() {
        [] => {}
        [one] => return Err(format!("missing field: {one}")),
        many => return Err(format!("missing fields: {}", many.join(", "))),
    }
    let phone = phone::normalize(get(Field::Phone), ctx.region)
        .map_err(|e| format!("invalid phone: {e}"))?;
    let time_error = |e: LocalTimeError| e.to_string();
    let local = if separate {
        local_time::parse_date(get(Field::Date), ctx.date_order)
            .map_err(time_error)?
            .and_time(local_time::parse_time(get(Field::Time)).map_err(time_error)?)
    } else {
        let value = match get(Field::Start) {
            "" => get(Field::Date),
            start => start,
        };
        local_time::parse_start(value, ctx.date_order).map_err(time_error)?
    };
    let starts_at = local_time::resolve(ctx.zone, local)
        .map_err(time_error)?
        .timestamp_millis();
    let language = Some(get(Field::Language).to_string()).filter(|l| !l.is_empty());
    let patient = patient_record(
        &NewPatient {
            first_name,
            last_name,
            phone: phone.clone(),
            preferred_language: language,
            time_zone: None,
        },
        ctx.region,
    )
    .map_err(|e| e.to_string())?;
    let provider = get(Field::Provider).to_string();
    let location = get(Field::Location).to_string();
    for (label, value) in [("provider", &provider), ("location", &location)] {
        if value.chars().count() > 100 || value.chars().any(char::is_control) {
            return Err(format!(
                "the {label} is longer than 100 characters or contains control characters"
            ));
        }
    }
    Ok(AppointmentRecord {
        import_key: Some(import_key(&phone, starts_at, &provider)),
        patient,
        starts_at,
        time_zone: ctx.zone.name().to_string(),
        duration_minutes: i64::from(super::DEFAULT_DURATION_MINUTES),
        provider,
        location,
    })
}

/// Line numbers from byte offsets, counted once through the text. The reader reports where it
/// started looking for a record, which is before any blank lines it then skipped.
struct Lines<'t> {
    text: &'t [u8],
    offset: usize,
    line: u32,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn of(&mut self, position: Option<&csv::Position>) -> u32 {
        let Some(position) = position else {
            return self.line;
        };
        let mut start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
        while self.text.get(start) == Some(&b'\n') {
            start += 1;
        }
        let start = start.min(self.text.len());
        if start > self.offset {
            let newlines = self.text[self.offset..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.line += newlines as u32;
            self.offset = start;
        }
        self.line
    }
}

fn skipped(row: u32, reason: impl Into<String>) -> ImportRow {
    ImportRow {
        row,
        status: RowStatus::Skipped,
        reason: Some(reason.into()),
        appointment_id: None,
        patient_created: false,
    }
}

/// Imports CSV text (bytes as read from the file). Only a file that cannot be read as a table
/// of appointments at all (no phone column, say) is an error; bad rows are reported.
pub fn import_csv(
    store: &Store,
    clock: &dyn Clock,
    bytes: &[u8],
    actor: &str,
) -> Result<ImportReport> {
    let (text, encoding_note) = decode(bytes)?;
    // One kind of line end, so the reader's line numbers match what a spreadsheet shows
    // (it miscounts around CRLF and blank lines otherwise).
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if text.trim().is_empty() {
        return Err(Error::invalid("file", "the file is empty"));
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(&text))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::invalid("file", format!("cannot read the header row: {e}")))?
        .clone();
    let (columns, head) = map_columns(&headers)?;
    let region = settings::clinic_region(store)?;
    let ctx = RowContext {
        columns: &columns,
        zone: settings::clinic_timezone(store)?,
        region: &region,
        date_order: local_time::DateOrder::for_region(&region),
    };

    let mut rows: Vec<ImportRow> = Vec::new();
    let mut prepared: Vec<Prepared> = Vec::new();
    let mut first_row_of_key: HashMap<String, u32> = HashMap::new();
    let mut lines = Lines::new(&text);
    for result in reader.records() {
        let record = match result {
            Ok(record) => record,
            Err(err) => {
                let row = lines.of(err.position());
                rows.push(skipped(row, format!("unreadable row: {err}")));
                continue;
            }
        };
        let row = lines.of(record.position());
        // Rows of empty cells are spreadsheet padding, not data.
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        match prepare(&ctx, &record) {
            Err(reason) => rows.push(skipped(row, reason)),
            Ok(record) => {
                let key = record.import_key.clone().unwrap_or_default();
                if let Some(first) = first_row_of_key.get(&key) {
                    rows.push(skipped(row, format!("duplicate of row {first}")));
                } else {
                    first_row_of_key.insert(key, row);
                    prepared.push(Prepared { row, record });
                }
            }
        }
    }

    let records: Vec<AppointmentRecord> = prepared.iter().map(|p| p.record.clone()).collect();
    let outcomes = store.insert_appointments(&records, clock.now_ms(), actor)?;
    for (item, outcome) in prepared.iter().zip(outcomes) {
        rows.push(match outcome {
            Inserted::Created {
                appointment_id,
                patient_created,
            } => ImportRow {
                row: item.row,
                status: RowStatus::Ok,
                reason: None,
                appointment_id: Some(appointment_id),
                patient_created,
            },
            Inserted::AlreadyImported => skipped(item.row, "already imported"),
        });
    }
    rows.sort_by_key(|r| r.row);

    let count = |status| rows.iter().filter(|r| r.status == status).count() as u32;
    let mut notes: Vec<String> = encoding_note.into_iter().collect();
    notes.push(NO_CONFIRMATIONS_NOTE.to_string());
    Ok(ImportReport {
        imported: count(RowStatus::Ok),
        skipped: count(RowStatus::Skipped),
        patients_created: rows.iter().filter(|r| r.patient_created).count() as u32,
        rows,
        columns: head.columns,
        ignored_columns: head.ignored,
        confirmations_sent: false,
        notes,
    })
}
