//! The admin gate and the Twilio account: setting and checking the admin passphrase, the
//! unlocked session, the masked saved credentials, Save & Test, and leaving demo mode.
//!
//! The passphrase and secrets arrive once per call and are dropped with it: nothing here keeps
//! them, logs them or sends them back.

use std::time::Duration;

use clinic_desk_core::access::{self, AdminSession};
use clinic_desk_core::clock::SystemClock;
use clinic_desk_core::credentials::{self, CredentialsSummary, KeyStore, TwilioCredentials};
use clinic_desk_core::setup_check::{self, TestReport};
use clinic_desk_core::twilio::{client::TWILIO_API_BASE, Auth, Secret};
use clinic_desk_core::{workstation, Error, Store};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use super::blocking;
use crate::admin_session::{AdminSessions, IDLE_LIMIT_MS};
use crate::error::{CommandError, CommandResult};
use crate::state::{AppMode, AppState, DEMO_DECLINED, DEMO_SETTING};

/// Who sets or gives the passphrase, as the audit log names them.
const ADMIN_ACTOR: &str = "admin";

/// Long enough for the webview to receive the answer before the window closes.
const RESTART_DELAY: Duration = Duration::from_millis(1500);

/// What the lock screen needs before anyone types.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AdminStatus {
    /// False on first run: a passphrase must be set.
    pub passphrase_set: bool,
    /// Epoch milliseconds until which admin access is locked.
    pub locked_until: Option<i64>,
    pub failures: u32,
    pub unlocked: bool,
    pub min_passphrase_chars: u32,
    /// Minutes without an admin action after which the passphrase is asked again.
    pub idle_minutes: u32,
}

/// Twilio details typed in Settings. Deliberately not `Debug`: it holds the secret.
#[derive(Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveAndTestInput {
    pub account_sid: String,
    #[ts(optional)]
    pub auth_token: Option<String>,
    #[ts(optional)]
    pub api_key_sid: Option<String>,
    #[ts(optional)]
    pub api_key_secret: Option<String>,
    #[ts(optional)]
    pub from_number: Option<String>,
    #[ts(optional)]
    pub messaging_service_sid: Option<String>,
    /// A number to send a test text to; none skips that step.
    #[ts(optional)]
    pub test_to: Option<String>,
    /// Save even though Twilio could not be reached (only when that is the sole failure).
    pub offline_save: bool,
}

fn filled(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl SaveAndTestInput {
    /// An API key SID chooses key authentication; otherwise the Auth Token is used.
    pub fn credentials(self, api_base: &str) -> TwilioCredentials {
        let auth = match filled(self.api_key_sid) {
            Some(key_sid) => Auth::ApiKey {
                key_sid,
                secret: Secret::new(self.api_key_secret.unwrap_or_default().trim()),
            },
            None => Auth::Token(Secret::new(self.auth_token.unwrap_or_default().trim())),
        };
        TwilioCredentials {
            account_sid: self.account_sid.trim().to_string(),
            auth,
            from_number: filled(self.from_number),
            messaging_service_sid: filled(self.messaging_service_sid),
            api_base: api_base.to_string(),
        }
    }
}

pub fn status_of(store: &Store, sessions: &AdminSessions) -> Result<AdminStatus, Error> {
    let access = access::status(store, &SystemClock)?;
    Ok(AdminStatus {
        passphrase_set: access.passphrase_set,
        locked_until: access.locked_until,
        failures: access.failures,
        unlocked: sessions.is_unlocked(),
        min_passphrase_chars: u32::try_from(access::MIN_PASSPHRASE_CHARS).unwrap_or(u32::MAX),
        idle_minutes: u32::try_from(IDLE_LIMIT_MS / 60_000).unwrap_or(u32::MAX),
    })
}

async fn current_status(state: &AppState) -> CommandResult<AdminStatus> {
    let sessions = state.admin.clone();
    blocking(&state.clinic, move |store| status_of(store, &sessions)).await
}

#[tauri::command]
pub async fn access_status(state: State<'_, AppState>) -> CommandResult<AdminStatus> {
    current_status(&state).await
}

/// Sets the passphrase (first run) or changes it (`current` required), and unlocks: whoever just
/// chose it has proven they know it.
#[tauri::command]
pub async fn set_admin_passphrase(
    state: State<'_, AppState>,
    new: String,
    current: Option<String>,
) -> CommandResult<AdminStatus> {
    // argon2 takes a noticeable moment; it runs on the blocking pool.
    let session = blocking(&state.clinic, move |store| {
        access::set_passphrase(store, &new, current.as_deref(), ADMIN_ACTOR)?;
        access::verify(store, &new, ADMIN_ACTOR)
    })
    .await?;
    state.admin.start(session);
    current_status(&state).await
}

#[tauri::command]
pub async fn unlock_admin(
    state: State<'_, AppState>,
    passphrase: String,
) -> CommandResult<AdminStatus> {
    let session = blocking(&state.clinic, move |store| {
        access::verify(store, &passphrase, ADMIN_ACTOR)
    })
    .await?;
    state.admin.start(session);
    current_status(&state).await
}

#[tauri::command]
pub async fn lock_admin(state: State<'_, AppState>) -> CommandResult<AdminStatus> {
    state.admin.end();
    current_status(&state).await
}

/// The saved account with its secret masked (last 4), or `None` when none is saved.
#[tauri::command]
pub async fn credentials_summary(
    state: State<'_, AppState>,
) -> CommandResult<Option<CredentialsSummary>> {
    state.admin.require()?;
    summary_of(&state.store, &state.keys).map_err(CommandError::from)
}

pub fn summary_of(store: &Store, keys: &KeyStore) -> Result<Option<CredentialsSummary>, Error> {
    credentials::summary(store, keys).map_err(Error::from)
}

/// Runs Save & Test when an admin session is open; refused before any request otherwise.
pub async fn save_and_test_as_admin(
    sessions: &AdminSessions,
    store: &Store,
    keys: &KeyStore,
    input: SaveAndTestInput,
    api_base: &str,
) -> Result<TestReport, Error> {
    let session: AdminSession = sessions.require()?;
    let test_to = filled(input.test_to.clone());
    let offline_save = input.offline_save;
    let creds = input.credentials(api_base);
    setup_check::save_and_test(
        store,
        keys,
        &creds,
        test_to.as_deref(),
        &session.actor,
        offline_save,
    )
    .await
}

/// Where Save & Test sends its requests: Twilio itself, unless `CLINIC_DESK_API_BASE` names
/// another Twilio address (an edge location such as `https://api.dublin.ie1.twilio.com`) or a
/// simulator on this computer (the end-to-end tests). The saved credentials keep the address
/// they were tested against, so syncing uses the same one. Any other value is refused rather
/// than ignored: the token must not go to an unknown host, and a typo must not quietly test
/// against production instead.
fn api_base() -> Result<String, Error> {
    let Ok(value) = std::env::var("CLINIC_DESK_API_BASE") else {
        return Ok(TWILIO_API_BASE.to_string());
    };
    allowed_api_base(&value).ok_or_else(|| {
        Error::invalid(
            "CLINIC_DESK_API_BASE",
            format!(
                "\"{value}\" is not a Twilio API address; use https://<name>.twilio.com or \
                 http://127.0.0.1:<port> for a simulator, or unset it"
            ),
        )
    })
}

pub fn allowed_api_base(value: &str) -> Option<String> {
    let value = value.trim().trim_end_matches('/');
    let twilio_host = value.strip_prefix("https://").filter(|host| {
        host.ends_with(".twilio.com")
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    });
    let loopback_port = value
        .strip_prefix("http://127.0.0.1:")
        .filter(|port| !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()));
    (twilio_host.is_some() || loopback_port.is_some()).then(|| value.to_string())
}

/// Save & Test. Saved credentials take effect at once: the engine restarts on them. In demo
/// mode they are saved to the clinic's own database instead, and the app restarts out of demo.
#[tauri::command]
pub async fn save_and_test(
    app: AppHandle,
    state: State<'_, AppState>,
    input: SaveAndTestInput,
) -> CommandResult<TestReport> {
    state.admin.require()?;
    let api_base = api_base()?;
    if state.mode() == AppMode::Demo {
        let keys = clinic_keys(&state.clinic).await?;
        let report =
            save_and_test_as_admin(&state.admin, &state.clinic, &keys, input, &api_base).await?;
        if report.saved {
            restart_soon(app);
        }
        return Ok(report);
    }
    let report =
        save_and_test_as_admin(&state.admin, &state.store, &state.keys, input, &api_base).await?;
    if report.saved {
        restart_engine(app).await?;
    }
    Ok(report)
}

/// Replaces the running engine with one on the newly saved credentials (dropping the old
/// handle stops its loop). Runs on the blocking pool: starting it waits on the runtime.
async fn restart_engine(app: AppHandle) -> CommandResult<()> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        crate::start_engine(&app, &state);
    })
    .await
    .map_err(|_| {
        CommandError::internal(
            "the account was saved but syncing did not restart; close and reopen Clinic Desk",
        )
    })
}

/// Demo data stays in its own file; the clinic's database is marked so the next start opens it
/// instead of the demo.
#[tauri::command]
pub async fn leave_demo_mode(app: AppHandle, state: State<'_, AppState>) -> CommandResult<()> {
    state.admin.require()?;
    if state.mode() != AppMode::Demo {
        return Err(Error::invalid("mode", "Clinic Desk is not in demo mode").into());
    }
    blocking(&state.clinic, decline_demo).await?;
    restart_soon(app);
    Ok(())
}

pub fn decline_demo(store: &Store) -> Result<(), Error> {
    Ok(store.set_setting(DEMO_SETTING, DEMO_DECLINED)?)
}

/// The key store of the clinic's own database (demo mode runs on the demo file's keys).
async fn clinic_keys(clinic: &Store) -> CommandResult<KeyStore> {
    let clinic = clinic.clone();
    tauri::async_runtime::spawn_blocking(move || workstation::key_store_for(&clinic))
        .await
        .map_err(|_| CommandError::internal("the request stopped unexpectedly; try again"))?
        .map_err(CommandError::from)
}

fn restart_soon(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(RESTART_DELAY).await;
        app.restart();
    });
}

#[cfg(test)]
mod tests {
    use clinic_desk_core::credentials::KeyPolicy;
    use clinic_desk_core::crypto::KEY_FILE_NAME;
    use clinic_desk_core::ErrorCode;

    use super::*;

    const TOKEN: &str = "sim-token-5ecret-0123456789abcdef";
    const PASSPHRASE: &str = "front desk admin passphrase";

    struct Desk {
        _dir: tempfile::TempDir,
        store: Store,
        keys: KeyStore,
    }

    fn desk() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("clinic.sqlite3")).unwrap();
        let keys = KeyStore::new(KeyPolicy::FileOnly {
            path: dir.path().join(KEY_FILE_NAME),
        })
        .unwrap();
        Desk {
            _dir: dir,
            store,
            keys,
        }
    }

    async fn sim() -> twilio_sim::SimHandle {
        twilio_sim::spawn(twilio_sim::SimConfig {
            seed: Some(7),
            auth_token: TOKEN.to_string(),
            ..twilio_sim::SimConfig::default()
        })
        .await
        .unwrap()
    }

    fn input(sim: &twilio_sim::SimHandle, token: &str) -> SaveAndTestInput {
        SaveAndTestInput {
            account_sid: sim.account_sid.clone(),
            auth_token: Some(token.to_string()),
            api_key_sid: None,
            api_key_secret: None,
            from_number: Some(sim.numbers[0].clone()),
            messaging_service_sid: Some(String::new()),
            test_to: None,
            offline_save: false,
        }
    }

    fn unlock(desk: &Desk, sessions: &AdminSessions) {
        access::set_passphrase(&desk.store, PASSPHRASE, None, ADMIN_ACTOR).unwrap();
        sessions.start(access::verify(&desk.store, PASSPHRASE, ADMIN_ACTOR).unwrap());
    }

    #[tokio::test]
    async fn save_and_test_is_refused_without_an_admin_session() {
        let desk = desk();
        let sim = sim().await;
        let sessions = AdminSessions::default();
        let err = save_and_test_as_admin(
            &sessions,
            &desk.store,
            &desk.keys,
            input(&sim, TOKEN),
            &sim.base_url,
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::AdminRequired);
        assert!(summary_of(&desk.store, &desk.keys).unwrap().is_none());
    }

    #[tokio::test]
    async fn an_admin_saves_good_credentials_and_sees_them_masked() {
        let desk = desk();
        let sim = sim().await;
        let sessions = AdminSessions::default();
        unlock(&desk, &sessions);

        let wrong = save_and_test_as_admin(
            &sessions,
            &desk.store,
            &desk.keys,
            input(&sim, "not-the-token-0123456789abcdef00"),
            &sim.base_url,
        )
        .await
        .unwrap();
        assert!(!wrong.saved);
        assert!(summary_of(&desk.store, &desk.keys).unwrap().is_none());

        let report = save_and_test_as_admin(
            &sessions,
            &desk.store,
            &desk.keys,
            input(&sim, TOKEN),
            &sim.base_url,
        )
        .await
        .unwrap();
        assert!(report.passed && report.saved, "{}", report.summary);
        let summary = summary_of(&desk.store, &desk.keys).unwrap().unwrap();
        assert_eq!(summary.account_sid, sim.account_sid);
        assert!(summary.masked_secret.ends_with(&TOKEN[TOKEN.len() - 4..]));
        let shown = serde_json::to_string(&summary).unwrap();
        assert!(!shown.contains(TOKEN));
    }

    #[test]
    fn only_twilio_hosts_and_a_local_simulator_are_accepted_as_the_api_address() {
        for good in [
            "https://api.twilio.com",
            "https://api.dublin.ie1.twilio.com/",
            "http://127.0.0.1:4010",
        ] {
            assert!(allowed_api_base(good).is_some(), "{good}");
        }
        for bad in [
            "https://evil.example",
            "https://api.twilio.com.evil.example",
            "https://user@evil.example/.twilio.com",
            "http://api.twilio.com",
            "http://localhost:4010",
            "http://127.0.0.1:4010@evil.example",
            "api.twilio.com",
            "",
        ] {
            assert!(allowed_api_base(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn first_run_status_asks_for_a_passphrase() {
        let desk = desk();
        let status = status_of(&desk.store, &AdminSessions::default()).unwrap();
        assert!(!status.passphrase_set);
        assert!(!status.unlocked);
        assert_eq!(status.min_passphrase_chars, 10);
        assert_eq!(status.idle_minutes, 10);
    }

    #[test]
    fn declining_demo_marks_the_database() {
        let desk = desk();
        decline_demo(&desk.store).unwrap();
        assert_eq!(
            desk.store.setting(DEMO_SETTING).unwrap().as_deref(),
            Some(DEMO_DECLINED)
        );
    }
}
