//! The commands the webview may call. Each one runs its store work on the blocking pool so the
//! UI thread never waits on SQLite.

pub mod admin;
pub mod alerts;
pub mod appointments;
pub mod chat;
pub mod compliance;
pub mod dashboard;
pub mod group;
pub mod settings;
pub mod templates;

use clinic_desk_core::appointments::{self as core_appointments, Appointment};
use clinic_desk_core::clock::{Clock, SystemClock};
use clinic_desk_core::composer::segments::{self, SegmentInfo};
use clinic_desk_core::messaging::{self, TextRequest, MAX_BODY_CHARS};
use clinic_desk_core::patients::{self, NewPatient};
use clinic_desk_core::store::messages::ThreadMessage;
use clinic_desk_core::store::outbox::OutboxKind;
use clinic_desk_core::store::patients::Patient;
use clinic_desk_core::store::threads::ThreadSummary;
use clinic_desk_core::sync::SyncCommand;
use clinic_desk_core::{Error, Store};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult};
use crate::state::{AppMode, AppState};
use crate::sync_view::{SyncSnapshot, SyncView};

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub version: String,
    pub db_path: String,
    pub schema_version: i64,
    pub mode: AppMode,
}

/// Who the audit log names for what is done in the app, until staff sign in individually.
pub(crate) const ACTOR: &str = "front desk";

/// Runs store work off the UI thread.
pub(crate) async fn blocking<T: Send + 'static>(
    store: &Store,
    work: impl FnOnce(&Store) -> Result<T, clinic_desk_core::Error> + Send + 'static,
) -> CommandResult<T> {
    let store = store.clone();
    tauri::async_runtime::spawn_blocking(move || work(&store))
        .await
        .map_err(|_| CommandError::internal("the request stopped unexpectedly; try again"))?
        .map_err(CommandError::from)
}

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> CommandResult<AppStatus> {
    let mode = state.mode();
    let version = env!("CARGO_PKG_VERSION").to_string();
    blocking(&state.store, move |store| {
        Ok(AppStatus {
            version,
            db_path: store.path().display().to_string(),
            schema_version: store.schema_version()?,
            mode,
        })
    })
    .await
}

#[tauri::command]
pub async fn list_patients(state: State<'_, AppState>) -> CommandResult<Vec<Patient>> {
    blocking(&state.store, patients::list_patients).await
}

#[tauri::command]
pub async fn add_patient(state: State<'_, AppState>, input: NewPatient) -> CommandResult<Patient> {
    blocking(&state.store, move |store| {
        patients::add_patient(store, &input)
    })
    .await
}

#[tauri::command]
pub async fn list_threads(state: State<'_, AppState>) -> CommandResult<Vec<ThreadSummary>> {
    blocking(&state.store, |store| Ok(store.list_threads()?)).await
}

#[tauri::command]
pub async fn thread_messages(
    state: State<'_, AppState>,
    phone: String,
) -> CommandResult<Vec<ThreadMessage>> {
    blocking(
        &state.store,
        move |store| Ok(store.thread_messages(&phone)?),
    )
    .await
}

/// Marks a conversation read and tells every view (the inbox's unread badge) that it changed.
#[tauri::command]
pub async fn mark_thread_read(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    phone: String,
) -> CommandResult<()> {
    let changed = phone.clone();
    blocking(&state.store, move |store| {
        Ok(store.mark_thread_read(&phone)?)
    })
    .await?;
    let _ = tauri::Emitter::emit(
        &app,
        crate::CORE_EVENT,
        &clinic_desk_core::events::CoreEvent::ThreadsChanged {
            phones: vec![changed],
        },
    );
    Ok(())
}

/// A text typed in the chat composer.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SendTextInput {
    pub to: String,
    pub body: String,
    /// Staff's reason for sending outside the sending window (after a `QuietHours` refusal).
    #[ts(optional)]
    pub override_reason: Option<String>,
}

/// Queues the text (stored before any network call) and wakes the engine to send it.
#[tauri::command]
pub async fn send_text(
    state: State<'_, AppState>,
    input: SendTextInput,
) -> CommandResult<ThreadMessage> {
    let sender = state.sender().ok_or(Error::NotConfigured)?;
    let message = blocking(&state.store, move |store| {
        let mut request = TextRequest::new(&input.to, &input.body, OutboxKind::Manual, ACTOR);
        if let Some(reason) = input.override_reason.clone() {
            request = request.overriding_quiet_hours(reason);
        }
        let item = messaging::queue_text(store, &sender, &SystemClock, &request)?;
        store
            .thread_messages(&item.to)?
            .into_iter()
            .find(|m| m.id == item.message_id)
            .ok_or_else(|| Error::invalid("body", "the text was stored but cannot be shown"))
    })
    .await?;
    state.nudge(SyncCommand::SyncNow);
    Ok(message)
}

/// The UI tells the engine a chat is open so replies are polled fast.
#[tauri::command]
pub async fn set_chat_open(state: State<'_, AppState>, open: bool) -> CommandResult<()> {
    state.nudge(SyncCommand::ChatOpen(open));
    Ok(())
}

#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> CommandResult<()> {
    state.nudge(SyncCommand::SyncNow);
    Ok(())
}

/// The composer's live counter: the text as it will be sent (with the first-contact opt-out
/// footer when one will be added), so the segments and cost staff see are what Twilio bills.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TextPreview {
    pub segments: SegmentInfo,
    /// Segments × the clinic's price per segment, in the Twilio account's currency.
    pub cost_estimate: f64,
    /// Characters as the length limit counts them.
    pub chars: u32,
    pub max_chars: u32,
    /// What will be appended to this text, if anything (the first text to a number).
    pub footer: Option<String>,
}

#[tauri::command]
pub async fn preview_text(
    state: State<'_, AppState>,
    body: String,
    to: Option<String>,
) -> CommandResult<TextPreview> {
    blocking(&state.store, move |store| {
        text_preview(store, &body, to.as_deref())
    })
    .await
}

pub fn text_preview(store: &Store, body: &str, to: Option<&str>) -> Result<TextPreview, Error> {
    // Blank text cannot be sent, so it costs nothing rather than a segment of spaces.
    let sent = match to {
        _ if body.trim().is_empty() => String::new(),
        Some(to) => messaging::with_first_contact_footer(store, to, body)?,
        None => body.to_string(),
    };
    let footer = (!sent.is_empty() && sent != body).then(|| {
        sent.strip_prefix(body.trim_end())
            .unwrap_or(&sent)
            .trim()
            .to_string()
    });
    let info = segments::count(&sent);
    let cost_estimate =
        f64::from(info.segments) * clinic_desk_core::settings::price_per_segment(store)?;
    Ok(TextPreview {
        chars: u32::try_from(sent.chars().count()).unwrap_or(u32::MAX),
        max_chars: u32::try_from(MAX_BODY_CHARS).unwrap_or(u32::MAX),
        segments: info,
        cost_estimate,
        footer,
    })
}

/// What the chat shows about a thread besides its texts.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ThreadContext {
    pub phone: String,
    pub patient_name: Option<String>,
    /// The composer is disabled: the outbox would refuse the text anyway.
    pub opted_out: bool,
    /// The patient's appointments still ahead (not cancelled), earliest first, for the panel
    /// beside the chat.
    pub upcoming: Vec<Appointment>,
}

#[tauri::command]
pub async fn thread_context(
    state: State<'_, AppState>,
    phone: String,
) -> CommandResult<ThreadContext> {
    blocking(&state.store, move |store| {
        context_of(store, &SystemClock, phone)
    })
    .await
}

pub fn context_of(store: &Store, clock: &dyn Clock, phone: String) -> Result<ThreadContext, Error> {
    Ok(ThreadContext {
        patient_name: store.patient_name_for(&phone)?,
        opted_out: store.is_opted_out(&phone)?,
        upcoming: core_appointments::upcoming_for_phone(store, clock, &phone)?,
        phone,
    })
}

/// The sync state and back-fill progress as last announced, for a webview that just loaded.
#[tauri::command]
pub async fn sync_status(view: State<'_, SyncView>) -> CommandResult<SyncSnapshot> {
    Ok(view.snapshot())
}

#[cfg(test)]
mod tests {
    use clinic_desk_core::composer::segments::Encoding;
    use clinic_desk_core::store::optouts::{OptEvent, OptKind, OptSource};
    use clinic_desk_core::store::patients::{LineType, PatientRecord};

    use super::*;

    const PHONE: &str = "+14155550134";

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
        (dir, store)
    }

    #[test]
    fn preview_counts_segments_and_prices_them() {
        let (_dir, store) = store();
        store
            .set_setting(clinic_desk_core::settings::PRICE_PER_SEGMENT, "0.01")
            .unwrap();
        let preview = text_preview(&store, &"a".repeat(161), None).unwrap();
        assert_eq!(preview.segments.segments, 2);
        assert_eq!(preview.segments.encoding, Encoding::Gsm7);
        assert_eq!(preview.chars, 161);
        assert_eq!(preview.max_chars, 1600);
        assert!((preview.cost_estimate - 0.02).abs() < 1e-9);
        assert_eq!(preview.footer, None);

        let emoji = text_preview(&store, "See you 👍", None).unwrap();
        assert_eq!(emoji.segments.encoding, Encoding::Ucs2);
        assert_eq!(emoji.segments.non_gsm_chars, vec!["👍".to_string()]);
    }

    #[test]
    fn preview_of_a_first_text_includes_the_opt_out_footer() {
        let (_dir, store) = store();
        let preview = text_preview(&store, "Hello", Some(PHONE)).unwrap();
        assert_eq!(
            preview.footer.as_deref(),
            Some(messaging::FIRST_CONTACT_FOOTER)
        );
        assert_eq!(
            preview.chars as usize,
            "Hello\n".chars().count() + messaging::FIRST_CONTACT_FOOTER.chars().count()
        );

        // An empty composer costs nothing, footer or not.
        let empty = text_preview(&store, "  ", Some(PHONE)).unwrap();
        assert_eq!(empty.segments.segments, 0);
        assert_eq!(empty.cost_estimate, 0.0);
        assert_eq!(empty.footer, None);
    }

    #[test]
    fn context_names_the_patient_and_reports_an_opt_out() {
        let (_dir, store) = store();
        let unknown = context_of(&store, &SystemClock, PHONE.to_string()).unwrap();
        assert_eq!(unknown.patient_name, None);
        assert!(!unknown.opted_out);

        store
            .insert_patient(&PatientRecord {
                first_name: "Sample".into(),
                last_name: "Patient".into(),
                preferred_language: "en".into(),
                time_zone: None,
                phone_e164: PHONE.into(),
                line_type: LineType::Mobile,
            })
            .unwrap();
        store
            .record_opt_event(&OptEvent {
                phone: PHONE.into(),
                kind: OptKind::OptOut,
                source: OptSource::Keyword,
                keyword: Some("STOP".into()),
                message_sid: None,
                at: 1_000,
                actor: "patient".into(),
            })
            .unwrap();
        let known = context_of(&store, &SystemClock, PHONE.to_string()).unwrap();
        assert_eq!(known.patient_name.as_deref(), Some("Sample Patient"));
        assert!(known.opted_out);
        assert!(known.upcoming.is_empty());
    }

    #[test]
    fn context_lists_the_patients_upcoming_appointments() {
        let (_dir, store) = store();
        store
            .set_setting(
                clinic_desk_core::settings::CLINIC_TIMEZONE,
                "America/New_York",
            )
            .unwrap();
        for (start, provider) in [
            ("2099-04-02 15:00", "Dr. Later"),
            ("2099-04-01 08:30", "Dr. Sooner"),
        ] {
            core_appointments::book(
                &store,
                None,
                &SystemClock,
                &core_appointments::NewAppointment {
                    phone: PHONE.into(),
                    name: "Sample Patient".into(),
                    start: start.into(),
                    provider: provider.into(),
                    location: "Room 2".into(),
                    ..Default::default()
                },
                "front desk",
            )
            .unwrap();
        }
        let context = context_of(&store, &SystemClock, PHONE.to_string()).unwrap();
        let seen: Vec<(&str, &str, &str)> = context
            .upcoming
            .iter()
            .map(|a| {
                (
                    a.local_date.as_str(),
                    a.local_time.as_str(),
                    a.provider.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("2099-04-01", "08:30", "Dr. Sooner"),
                ("2099-04-02", "15:00", "Dr. Later")
            ]
        );
    }
}
