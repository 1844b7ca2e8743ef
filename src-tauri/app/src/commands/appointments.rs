//! The appointments screen: the day list, booking, changes, status actions and CSV import.
//!
//! Every change is announced as `AppointmentsChanged` so other open views re-read, and a change
//! that queued a text wakes the engine so the confirmation goes out now, not at the next cycle.

use clinic_desk_core::appointments::csv_import::{self, ImportReport};
use clinic_desk_core::appointments::{
    self, Appointment, AppointmentChanges, Booking, Edited, NewAppointment, StatusChanged,
};
use clinic_desk_core::clock::{Clock, SystemClock};
use clinic_desk_core::events::CoreEvent;
use clinic_desk_core::sync::SyncCommand;
use clinic_desk_core::{Error, Store};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

use super::{blocking, ACTOR};
use crate::error::CommandResult;
use crate::state::AppState;

/// A CSV of a few thousand appointments is well under this; anything larger is not a schedule.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

/// One day of the schedule in the clinic's zone.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentDay {
    /// The day shown, "2026-03-10".
    pub date: String,
    /// Today in the clinic's zone, so the UI's "Today" matches the clinic, not the computer.
    pub today: String,
    /// Earliest first, each with its latest text.
    pub appointments: Vec<Appointment>,
}

/// The day `date` (any format staff type; today when absent).
pub fn day_list(
    store: &Store,
    clock: &dyn Clock,
    date: Option<&str>,
) -> Result<AppointmentDay, Error> {
    let today = appointments::today(store, clock)?;
    let day = match date.map(str::trim).filter(|d| !d.is_empty()) {
        Some(value) => appointments::parse_day(store, value)?,
        None => today,
    };
    Ok(AppointmentDay {
        date: day.format("%Y-%m-%d").to_string(),
        today: today.format("%Y-%m-%d").to_string(),
        appointments: appointments::list_day(store, day)?,
    })
}

/// Imports the text of a CSV file the UI read; the size check comes first so an accidental
/// pick of a huge file is refused in words instead of stalling the import.
pub fn import_text(
    store: &Store,
    clock: &dyn Clock,
    contents: &str,
) -> Result<ImportReport, Error> {
    if contents.len() > MAX_IMPORT_BYTES {
        return Err(Error::invalid(
            "file",
            format!(
                "the file is larger than {} MB; is it the appointments export? Split it and import the parts",
                MAX_IMPORT_BYTES / (1024 * 1024)
            ),
        ));
    }
    csv_import::import_csv(store, clock, contents.as_bytes(), ACTOR)
}

fn announce(app: &AppHandle) {
    let _ = app.emit(crate::CORE_EVENT, &CoreEvent::AppointmentsChanged);
}

#[tauri::command]
pub async fn list_appointments(
    state: State<'_, AppState>,
    date: Option<String>,
) -> CommandResult<AppointmentDay> {
    blocking(&state.store, move |store| {
        day_list(store, &SystemClock, date.as_deref())
    })
    .await
}

/// Books the appointment; it stands even when its confirmation cannot be texted (`sms` says why).
#[tauri::command]
pub async fn book_appointment(
    app: AppHandle,
    state: State<'_, AppState>,
    input: NewAppointment,
) -> CommandResult<Booking> {
    let sender = state.sender();
    let booking = blocking(&state.store, move |store| {
        appointments::book(store, sender.as_ref(), &SystemClock, &input, ACTOR)
    })
    .await?;
    if booking.sms.outbox_id.is_some() {
        state.nudge(SyncCommand::SyncNow);
    }
    announce(&app);
    Ok(booking)
}

#[tauri::command]
pub async fn edit_appointment(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    changes: AppointmentChanges,
) -> CommandResult<Edited> {
    let sender = state.sender();
    let edited = blocking(&state.store, move |store| {
        appointments::edit(store, sender.as_ref(), &SystemClock, id, &changes, ACTOR)
    })
    .await?;
    if edited
        .sms
        .as_ref()
        .is_some_and(|sms| sms.outbox_id.is_some())
    {
        state.nudge(SyncCommand::SyncNow);
    }
    announce(&app);
    Ok(edited)
}

#[tauri::command]
pub async fn cancel_appointment(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> CommandResult<StatusChanged> {
    let changed = blocking(&state.store, move |store| {
        appointments::cancel(store, &SystemClock, id, ACTOR)
    })
    .await?;
    announce(&app);
    Ok(changed)
}

#[tauri::command]
pub async fn mark_arrived(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> CommandResult<StatusChanged> {
    let changed = blocking(&state.store, move |store| {
        appointments::mark_arrived(store, &SystemClock, id, ACTOR)
    })
    .await?;
    announce(&app);
    Ok(changed)
}

#[tauri::command]
pub async fn mark_no_show(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> CommandResult<StatusChanged> {
    let changed = blocking(&state.store, move |store| {
        appointments::mark_no_show(store, &SystemClock, id, ACTOR)
    })
    .await?;
    announce(&app);
    Ok(changed)
}

/// Imports the CSV text the UI read from the picked file. Imports never text patients.
#[tauri::command]
pub async fn import_appointments_csv(
    app: AppHandle,
    state: State<'_, AppState>,
    contents: String,
) -> CommandResult<ImportReport> {
    let report = blocking(&state.store, move |store| {
        import_text(store, &SystemClock, &contents)
    })
    .await?;
    if report.imported > 0 {
        announce(&app);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use clinic_desk_core::appointments::csv_import::RowStatus;
    use clinic_desk_core::appointments::AppointmentStatus;
    use clinic_desk_core::settings;

    use super::*;

    /// 2026-03-10 15:00 UTC: 11:00 in New York.
    struct Fixed;
    impl Clock for Fixed {
        fn now_ms(&self) -> i64 {
            1_773_154_800_000
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
        store
            .set_setting(settings::CLINIC_TIMEZONE, "America/New_York")
            .unwrap();
        (dir, store)
    }

    #[test]
    fn the_day_list_defaults_to_the_clinics_today_and_names_it() {
        let (_dir, store) = store();
        let booking = appointments::book(
            &store,
            None,
            &Fixed,
            &NewAppointment {
                phone: "(415) 555-0134".into(),
                name: "Avery Example".into(),
                start: "2026-03-10 14:30".into(),
                provider: "Dr. Lee".into(),
                ..NewAppointment::default()
            },
            ACTOR,
        )
        .unwrap();
        // No Twilio account: the booking stands and says the text could not go.
        assert!(!booking.sms.ok);
        assert!(booking.sms.summary.starts_with("SMS failed: "));

        let today = day_list(&store, &Fixed, None).unwrap();
        assert_eq!(today.date, "2026-03-10");
        assert_eq!(today.today, "2026-03-10");
        assert_eq!(today.appointments.len(), 1);
        assert_eq!(today.appointments[0].local_time, "14:30");
        assert_eq!(today.appointments[0].status, AppointmentStatus::Booked);

        let next = day_list(&store, &Fixed, Some("3/11/2026")).unwrap();
        assert_eq!(next.date, "2026-03-11");
        assert_eq!(next.today, "2026-03-10");
        assert!(next.appointments.is_empty());

        let bad = day_list(&store, &Fixed, Some("someday")).unwrap_err();
        assert_eq!(bad.to_ipc().code, clinic_desk_core::ErrorCode::InvalidInput);
    }

    #[test]
    fn importing_the_same_text_twice_adds_nothing_the_second_time() {
        let (_dir, store) = store();
        let csv = "Patient Name,Phone,Start,Provider,Location\r\n\
                   Avery Example,(415) 555-0134,2026-03-12 09:00,Dr. Lee,Room 1\r\n\
                   No Phone,,2026-03-12 10:00,Dr. Lee,Room 1\r\n";
        let first = import_text(&store, &Fixed, csv).unwrap();
        assert_eq!((first.imported, first.skipped), (1, 1));
        let again = import_text(&store, &Fixed, csv).unwrap();
        assert_eq!(again.imported, 0);
        assert!(again
            .rows
            .iter()
            .all(|row| row.status == RowStatus::Skipped && row.reason.is_some()));
        assert_eq!(
            day_list(&store, &Fixed, Some("2026-03-12"))
                .unwrap()
                .appointments
                .len(),
            1
        );
    }

    #[test]
    fn an_oversized_file_is_refused_in_words() {
        let (_dir, store) = store();
        let huge = "a".repeat(MAX_IMPORT_BYTES + 1);
        let err = import_text(&store, &Fixed, &huge).unwrap_err();
        assert!(err.to_string().contains("larger than 10 MB"), "{err}");
    }
}
