//! The Compliance screen: opt-outs with their evidence, texts flagged for staff, consent records,
//! and the audit log (view, verify, export).

use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clinic_desk_core::compliance::audit::{self, VerifyReport};
use clinic_desk_core::compliance::consent::{self, ConsentEvent, ConsentKind, ConsentMethod};
use clinic_desk_core::compliance::flags;
use clinic_desk_core::composer::phone;
use clinic_desk_core::events::CoreEvent;
use clinic_desk_core::store::audit::{AuditFilter, AuditRow};
use clinic_desk_core::store::flags::{FlagResolution, StaffFlag};
use clinic_desk_core::store::optouts::OptState;
use clinic_desk_core::{settings, Error, Store};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, State};
use ts_rs::TS;

use super::{blocking, ACTOR};
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// Rows per audit page when the UI asks for more than is sensible to draw at once.
pub const MAX_AUDIT_PAGE: u32 = 200;

fn announce(app: &AppHandle, phone: String) {
    // A missed event only delays a refresh until the next one, so a failed emit is not an error.
    let _ = app.emit(
        crate::CORE_EVENT,
        &CoreEvent::ComplianceChanged {
            phones: vec![phone],
        },
    );
}

#[tauri::command]
pub async fn list_opt_states(state: State<'_, AppState>) -> CommandResult<Vec<OptState>> {
    blocking(&state.store, |store| Ok(store.opt_states()?)).await
}

/// Flags still waiting for staff, newest first.
#[tauri::command]
pub async fn list_staff_flags(state: State<'_, AppState>) -> CommandResult<Vec<StaffFlag>> {
    blocking(&state.store, |store| Ok(store.staff_flags(None, false)?)).await
}

/// Closes a flag; confirming a plain-words opt-out records the opt-out.
#[tauri::command]
pub async fn resolve_flag(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    resolution: FlagResolution,
) -> CommandResult<()> {
    let phone = blocking(&state.store, move |store| {
        flags::resolve(store, id, resolution, ACTOR)
    })
    .await?;
    announce(&app, phone);
    Ok(())
}

#[tauri::command]
pub async fn list_consent(state: State<'_, AppState>) -> CommandResult<Vec<ConsentEvent>> {
    blocking(&state.store, |store| consent::list(store, None)).await
}

/// A consent record as staff type it on the Compliance screen.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConsentInput {
    /// Any common format; read in the clinic's region.
    pub phone: String,
    pub kind: ConsentKind,
    pub method: ConsentMethod,
    pub note: String,
}

#[tauri::command]
pub async fn record_consent(
    app: AppHandle,
    state: State<'_, AppState>,
    input: ConsentInput,
) -> CommandResult<ConsentEvent> {
    let event = blocking(&state.store, move |store| {
        consent::record(
            store,
            &input.phone,
            input.kind,
            input.method,
            ACTOR,
            &input.note,
        )
    })
    .await?;
    announce(&app, event.phone.clone());
    Ok(event)
}

#[tauri::command]
pub async fn verify_audit(state: State<'_, AppState>) -> CommandResult<VerifyReport> {
    blocking(&state.store, audit::verify).await
}

/// One audit row as the viewer shows it (the hash chain itself stays out of view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditLine {
    pub seq: i64,
    /// Epoch milliseconds.
    pub at: i64,
    pub actor: String,
    /// The stored action name, e.g. `opt_out.confirmed`.
    pub action: String,
    /// The phone number the row is about; empty for clinic-wide rows (settings, exports).
    pub subject: String,
    /// JSON with the row's particulars (never a message body).
    pub detail: String,
}

impl From<AuditRow> for AuditLine {
    fn from(row: AuditRow) -> Self {
        AuditLine {
            seq: row.seq,
            at: row.at,
            actor: row.actor,
            action: row.action,
            subject: row.subject,
            detail: row.detail,
        }
    }
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub rows: Vec<AuditLine>,
    /// Rows matching the filter, over all pages.
    pub total: u64,
    /// Zero-based.
    pub page: u32,
    pub page_size: u32,
}

#[tauri::command]
pub async fn read_audit(
    state: State<'_, AppState>,
    page: u32,
    page_size: u32,
    phone: Option<String>,
) -> CommandResult<AuditPage> {
    blocking(&state.store, move |store| {
        audit_page(store, page, page_size, phone.as_deref())
    })
    .await
}

/// Page `page` (zero-based, newest first) of the rows about `phone`, or of all rows.
///
/// Limits: the store streams rows oldest first, so each page walks every matching row and keeps
/// only the newest `(page + 1) × page_size`; fine for the first pages staff look at, slower for
/// deep pages of a very long log.
pub fn audit_page(
    store: &Store,
    page: u32,
    page_size: u32,
    phone: Option<&str>,
) -> Result<AuditPage, Error> {
    let page_size = page_size.clamp(1, MAX_AUDIT_PAGE);
    let subject = match phone.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(phone::normalize(p, &settings::clinic_region(store)?)?),
        None => None,
    };
    let filter = AuditFilter {
        from_ms: None,
        until_ms: None,
        subject,
    };
    let keep = (page as usize + 1) * page_size as usize;
    let mut newest: VecDeque<AuditRow> = VecDeque::with_capacity(keep.min(4096));
    let mut total = 0_u64;
    store.scan_audit(&filter, |row| {
        total += 1;
        if newest.len() == keep {
            newest.pop_front();
        }
        newest.push_back(row);
        ControlFlow::Continue(())
    })?;
    let rows = newest
        .into_iter()
        .rev()
        .skip(page as usize * page_size as usize)
        .map(AuditLine::from)
        .collect();
    Ok(AuditPage {
        rows,
        total,
        page,
        page_size,
    })
}

/// Which rows to export; dates are days in the clinic's time zone, both ends included.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditExportInput {
    /// `YYYY-MM-DD`, or none for the beginning.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, or none for today.
    pub to: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditExportResult {
    /// Where the CSV file was written.
    pub path: String,
    pub rows: u64,
}

/// Writes the CSV into the user's Documents folder and returns where, so the screen can show it.
/// A fixed folder instead of a Save dialog keeps the webview without file-system or dialog
/// permissions.
#[tauri::command]
pub async fn export_audit(
    app: AppHandle,
    state: State<'_, AppState>,
    input: AuditExportInput,
) -> CommandResult<AuditExportResult> {
    // An export takes the clinic's whole record out of the app: admins only.
    state.admin.require()?;
    let folder = export_folder(&app)?;
    blocking(&state.store, move |store| {
        export_into(store, &folder, &input)
    })
    .await
}

fn export_folder(app: &AppHandle) -> CommandResult<PathBuf> {
    let folder = app
        .path()
        .document_dir()
        .or_else(|_| app.path().home_dir().map(|home| home.join("Documents")))
        .map_err(|_| {
            CommandError::internal(
                "this computer has no Documents folder to save the export in; ask your clinic \
                 admin to create one",
            )
        })?;
    std::fs::create_dir_all(&folder).map_err(|e| {
        CommandError::internal(format!(
            "cannot create the folder {} for the export: {e}",
            folder.display()
        ))
    })?;
    Ok(folder)
}

pub fn export_into(
    store: &Store,
    folder: &Path,
    input: &AuditExportInput,
) -> Result<AuditExportResult, Error> {
    let from = parse_day("from", input.from.as_deref())?;
    let to = parse_day("to", input.to.as_deref())?;
    let phone = input
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let path = free_path(folder, &export_name(from, to, phone));
    let rows = audit::export(store, &path, from, to, phone, ACTOR)?;
    Ok(AuditExportResult {
        path: path.display().to_string(),
        rows: u64::try_from(rows).unwrap_or(u64::MAX),
    })
}

fn parse_day(field: &'static str, value: Option<&str>) -> Result<Option<NaiveDate>, Error> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                Error::invalid(
                    field,
                    format!("\"{v}\" is not a date; pick a day as YYYY-MM-DD"),
                )
            }),
    }
}

/// `clinic-desk-audit[-FROM][-to-TO][-PHONE].csv`, with only digits from the phone so the name
/// is valid on every file system.
fn export_name(from: Option<NaiveDate>, to: Option<NaiveDate>, phone: Option<&str>) -> String {
    let mut name = String::from("clinic-desk-audit");
    if let Some(from) = from {
        name.push_str(&format!("-from-{from}"));
    }
    if let Some(to) = to {
        name.push_str(&format!("-to-{to}"));
    }
    if let Some(phone) = phone {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            name.push('-');
            name.push_str(&digits);
        }
    }
    name
}

/// Never overwrites an earlier export: adds " (2)", " (3)", … as file managers do.
fn free_path(folder: &Path, stem: &str) -> PathBuf {
    let first = folder.join(format!("{stem}.csv"));
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| folder.join(format!("{stem} ({n}).csv")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use clinic_desk_core::compliance::audit::AuditAction;
    use clinic_desk_core::compliance::audit::AuditEntry;
    use clinic_desk_core::settings;

    use super::*;

    const PHONE: &str = "+14155550134";
    const OTHER: &str = "+14155550199";

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
        (dir, store)
    }

    fn consent_for(store: &Store, phone: &str) {
        consent::record(
            store,
            phone,
            ConsentKind::Granted,
            ConsentMethod::Form,
            ACTOR,
            "",
        )
        .unwrap();
    }

    #[test]
    fn audit_pages_run_newest_first_and_filter_by_phone() {
        let (_dir, store) = store();
        for _ in 0..3 {
            consent_for(&store, PHONE);
        }
        for _ in 0..2 {
            consent_for(&store, OTHER);
        }
        settings::set(&store, settings::CLINIC_NAME, "Harbor Clinic", ACTOR).unwrap();

        let all = audit_page(&store, 0, 4, None).unwrap();
        assert_eq!(all.total, 6);
        assert_eq!(all.rows.len(), 4);
        let seqs: Vec<i64> = all.rows.iter().map(|r| r.seq).collect();
        assert!(
            seqs.windows(2).all(|w| w[0] > w[1]),
            "newest first: {seqs:?}"
        );
        assert_eq!(all.rows[0].action, AuditAction::SettingsChanged.as_str());

        let rest = audit_page(&store, 1, 4, None).unwrap();
        assert_eq!(rest.rows.len(), 2);
        assert!(rest.rows[0].seq < all.rows[3].seq);
        assert_eq!(audit_page(&store, 2, 4, None).unwrap().rows.len(), 0);

        // A national number is read in the clinic's region, like everywhere else.
        let one = audit_page(&store, 0, 50, Some("(415) 555-0134")).unwrap();
        assert_eq!(one.total, 3);
        assert!(one.rows.iter().all(|r| r.subject == PHONE));
    }

    #[test]
    fn a_bad_phone_filter_is_refused_in_words() {
        let (_dir, store) = store();
        let err = audit_page(&store, 0, 50, Some("12")).unwrap_err();
        assert!(!err.to_string().is_empty());
        // An empty filter means every row.
        assert_eq!(audit_page(&store, 0, 50, Some("  ")).unwrap().total, 0);
    }

    #[test]
    fn export_writes_a_new_file_each_time_and_counts_its_rows() {
        let (dir, store) = store();
        consent_for(&store, PHONE);
        consent_for(&store, OTHER);
        store
            .audit(&AuditEntry::new(
                1_000,
                ACTOR,
                AuditAction::SettingsChanged,
                "",
                serde_json::json!({}),
            ))
            .unwrap();
        let folder = dir.path().join("Documents");
        std::fs::create_dir_all(&folder).unwrap();
        let input = AuditExportInput {
            from: None,
            to: None,
            phone: Some("(415) 555-0134".into()),
        };
        let first = export_into(&store, &folder, &input).unwrap();
        assert_eq!(first.rows, 1);
        assert!(first.path.ends_with("clinic-desk-audit-4155550134.csv"));
        let csv = std::fs::read_to_string(&first.path).unwrap();
        assert!(csv.contains(PHONE));
        assert!(!csv.contains(OTHER));

        let second = export_into(&store, &folder, &input).unwrap();
        assert_ne!(first.path, second.path);
        assert!(second
            .path
            .ends_with("clinic-desk-audit-4155550134 (2).csv"));
        assert!(Path::new(&first.path).exists());
    }

    #[test]
    fn export_refuses_a_malformed_or_reversed_date_range() {
        let (dir, store) = store();
        let bad = AuditExportInput {
            from: Some("03/10/2026".into()),
            to: None,
            phone: None,
        };
        let err = export_into(&store, dir.path(), &bad).unwrap_err();
        assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");

        let reversed = AuditExportInput {
            from: Some("2026-03-10".into()),
            to: Some("2026-03-01".into()),
            phone: None,
        };
        let err = export_into(&store, dir.path(), &reversed).unwrap_err();
        assert!(err.to_string().contains("swap"), "{err}");
    }
}
