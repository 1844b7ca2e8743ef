//! Saved Twilio credentials against real SQLite files: round trips, rotation, damaged or moved
//! envelopes, lost or unsafe keys, and a scan proving the secret never reaches the disk or a
//! Debug dump in clear. The key lives in a key file so these tests never depend on a keyring;
//! the one keyring test skips itself when no Secret Service is reachable.

use std::path::{Path, PathBuf};

use clinic_desk_core::credentials::{
    self, AuthKind, CredentialsError, KeyPolicy, KeySource, KeyStore, TwilioCredentials,
};
use clinic_desk_core::crypto::{self, KeyStoreError, KEY_FILE_NAME};
use clinic_desk_core::twilio::{Auth, Secret};
use clinic_desk_core::{Error, ErrorCode, Store};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const OTHER_ACCOUNT: &str = "ACfedcba9876543210fedcba9876543210";
const KEY_SID: &str = "SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const SERVICE: &str = "MG0123456789ABCDEF0123456789ABCDEF";
const TOKEN: &str = "tok_5ecret_abcdef0123456789";

struct Fixture {
    dir: tempfile::TempDir,
    store: Store,
    keys: KeyStore,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("clinic-desk.sqlite3")).unwrap();
        let keys = KeyStore::new(KeyPolicy::FileOnly {
            path: key_file(dir.path()),
        })
        .unwrap();
        Fixture { dir, store, keys }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("clinic-desk.sqlite3")
    }

    fn raw(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.db()).unwrap()
    }

    fn envelope(&self) -> Vec<u8> {
        self.raw()
            .query_row(
                "SELECT secret_envelope FROM credentials WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn set_envelope(&self, envelope: &[u8]) {
        self.raw()
            .execute(
                "UPDATE credentials SET secret_envelope = ?1 WHERE id = 1",
                [envelope],
            )
            .unwrap();
    }
}

fn key_file(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE_NAME)
}

fn token_creds(token: &str) -> TwilioCredentials {
    TwilioCredentials {
        account_sid: ACCOUNT.to_string(),
        auth: Auth::Token(Secret::new(token)),
        from_number: Some("+15551234567".to_string()),
        messaging_service_sid: None,
        api_base: "https://api.twilio.com".to_string(),
    }
}

fn api_key_creds() -> TwilioCredentials {
    TwilioCredentials {
        account_sid: ACCOUNT.to_string(),
        auth: Auth::ApiKey {
            key_sid: KEY_SID.to_string(),
            secret: Secret::new("keysecret_9876"),
        },
        from_number: None,
        messaging_service_sid: Some(SERVICE.to_string()),
        api_base: "http://127.0.0.1:4010".to_string(),
    }
}

fn token_of(creds: &TwilioCredentials) -> &str {
    match &creds.auth {
        Auth::Token(token) => token.expose(),
        other => panic!("expected an auth token, got {other:?}"),
    }
}

#[test]
fn nothing_saved_loads_as_none() {
    let f = Fixture::new();
    assert!(credentials::load(&f.store, &f.keys).unwrap().is_none());
    assert!(credentials::summary(&f.store, &f.keys).unwrap().is_none());
    assert!(!credentials::delete(&f.store).unwrap());
    // No key is created until something is saved.
    assert!(!key_file(f.dir.path()).exists());
}

#[test]
fn token_round_trip() {
    let f = Fixture::new();
    credentials::save(&f.store, &f.keys, &token_creds(TOKEN)).unwrap();
    let loaded = credentials::load(&f.store, &f.keys).unwrap().unwrap();
    assert_eq!(loaded.account_sid, ACCOUNT);
    assert_eq!(token_of(&loaded), TOKEN);
    assert_eq!(loaded.from_number.as_deref(), Some("+15551234567"));
    assert_eq!(loaded.messaging_service_sid, None);
    assert_eq!(loaded.api_base, "https://api.twilio.com");
    assert_eq!(f.keys.source(), &KeySource::File(key_file(f.dir.path())));
    assert!(f.keys.warning().is_some());

    let summary = credentials::summary(&f.store, &f.keys).unwrap().unwrap();
    assert_eq!(summary.account_sid, ACCOUNT);
    assert_eq!(summary.auth_kind, AuthKind::AuthToken);
    assert_eq!(summary.api_key_sid, None);
    assert_eq!(summary.sender, "+15551234567");
    assert_eq!(summary.masked_secret, "••••6789");
    assert!(summary.updated_at > 0);
    let json = serde_json::to_string(&summary).unwrap();
    assert!(json.contains("\"maskedSecret\":\"••••6789\""), "{json}");

    // The existing status-bar query sees the same account.
    assert_eq!(
        f.store.configured_account().unwrap(),
        Some((ACCOUNT.to_string(), "+15551234567".to_string()))
    );
}

#[test]
fn api_key_round_trip() {
    let f = Fixture::new();
    credentials::save(&f.store, &f.keys, &api_key_creds()).unwrap();
    let loaded = credentials::load(&f.store, &f.keys).unwrap().unwrap();
    match &loaded.auth {
        Auth::ApiKey { key_sid, secret } => {
            assert_eq!(key_sid, KEY_SID);
            assert_eq!(secret.expose(), "keysecret_9876");
        }
        other => panic!("expected an API key, got {other:?}"),
    }
    assert_eq!(loaded.from_number, None);
    assert_eq!(loaded.messaging_service_sid.as_deref(), Some(SERVICE));
    assert_eq!(loaded.client_config().api_base, "http://127.0.0.1:4010");

    let summary = credentials::summary(&f.store, &f.keys).unwrap().unwrap();
    assert_eq!(summary.auth_kind, AuthKind::ApiKey);
    assert_eq!(summary.api_key_sid.as_deref(), Some(KEY_SID));
    assert_eq!(summary.sender, SERVICE);
    assert_eq!(summary.masked_secret, "••••9876");
}

#[test]
fn second_save_rotates_the_envelope() {
    let f = Fixture::new();
    credentials::save(&f.store, &f.keys, &token_creds(TOKEN)).unwrap();
    let first = f.envelope();
    credentials::save(
        &f.store,
        &f.keys,
        &token_creds("tok_rotated_0000000000001111"),
    )
    .unwrap();
    let second = f.envelope();

    let rows: i64 = f
        .raw()
        .query_row("SELECT COUNT(*) FROM credentials", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
    assert_ne!(first, second);
    assert_ne!(
        crypto::envelope_nonce(&first),
        crypto::envelope_nonce(&second)
    );
    let loaded = credentials::load(&f.store, &f.keys).unwrap().unwrap();
    assert_eq!(token_of(&loaded), "tok_rotated_0000000000001111");

    // Saving the same secret again still gives a fresh nonce.
    credentials::save(
        &f.store,
        &f.keys,
        &token_creds("tok_rotated_0000000000001111"),
    )
    .unwrap();
    assert_ne!(
        crypto::envelope_nonce(&second),
        crypto::envelope_nonce(&f.envelope())
    );

    // Switching to an API key replaces the row too.
    credentials::save(&f.store, &f.keys, &api_key_creds()).unwrap();
    let summary = credentials::summary(&f.store, &f.keys).unwrap().unwrap();
    assert_eq!(summary.auth_kind, AuthKind::ApiKey);
    assert!(credentials::delete(&f.store).unwrap());
    assert!(credentials::load(&f.store, &f.keys).unwrap().is_none());
}

#[test]
fn tampered_envelope_is_reported_not_decrypted() {
    let f = Fixture::new();
    credentials::save(&f.store, &f.keys, &token_creds(TOKEN)).unwrap();
    let mut envelope = f.envelope();
    let middle = envelope.len() / 2;
    envelope[middle] ^= 0x01;
    f.set_envelope(&envelope);

    let err = credentials::load(&f.store, &f.keys).unwrap_err();
    assert!(matches!(err, CredentialsError::Tampered), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("cannot be decrypted"), "{message}");
    assert!(
        message.contains("re-enter the credentials in Settings"),
        "{message}"
    );
    assert!(err.needs_reentry());
    assert_eq!(Error::from(err).code(), ErrorCode::CredentialsMissing);

    // A cut-short envelope is the same story.
    f.set_envelope(&envelope[..10]);
    assert!(matches!(
        credentials::load(&f.store, &f.keys),
        Err(CredentialsError::Tampered)
    ));
}

#[test]
fn envelope_moved_to_another_account_fails_to_open() {
    let f = Fixture::new();
    credentials::save(&f.store, &f.keys, &token_creds(TOKEN)).unwrap();
    f.raw()
        .execute(
            "UPDATE credentials SET account_sid = ?1 WHERE id = 1",
            [OTHER_ACCOUNT],
        )
        .unwrap();
    assert!(matches!(
        credentials::load(&f.store, &f.keys),
        Err(CredentialsError::Tampered)
    ));
}

#[test]
fn unknown_envelope_version_is_refused() {
    let f = Fixture::new();
    credentials::save(&f.store, &f.keys, &token_creds(TOKEN)).unwrap();
    let mut envelope = f.envelope();
    assert_eq!(envelope[0], crypto::ENVELOPE_VERSION);
    envelope[0] = 2;
    f.set_envelope(&envelope);
    let err = credentials::load(&f.store, &f.keys).unwrap_err();
    assert!(
        matches!(err, CredentialsError::UnsupportedVersion { found: 2 }),
        "{err:?}"
    );
    assert!(err.to_string().contains("version 2"), "{err}");
    assert!(err.to_string().contains("update Clinic Desk"), "{err}");
}

#[test]
fn missing_key_file_is_key_missing_and_resave_recovers() {
    let f = Fixture::new();
    credentials::save(&f.store, &f.keys, &token_creds(TOKEN)).unwrap();
    std::fs::remove_file(key_file(f.dir.path())).unwrap();

    let err = credentials::load(&f.store, &f.keys).unwrap_err();
    assert!(
        matches!(&err, CredentialsError::KeyMissing { location: KeySource::File(p) }
            if p == &key_file(f.dir.path())),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("an admin must re-enter the credentials in Settings"),
        "{err}"
    );
    assert_eq!(Error::from(err).code(), ErrorCode::CredentialsMissing);

    // Re-entering the credentials makes a new key and they load again.
    credentials::save(&f.store, &f.keys, &token_creds(TOKEN)).unwrap();
    let loaded = credentials::load(&f.store, &f.keys).unwrap().unwrap();
    assert_eq!(token_of(&loaded), TOKEN);
}

#[test]
fn a_different_key_cannot_open_the_envelope() {
    let f = Fixture::new();
    credentials::save(&f.store, &f.keys, &token_creds(TOKEN)).unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    let other = KeyStore::new(KeyPolicy::FileOnly {
        path: key_file(other_dir.path()),
    })
    .unwrap();
    other.load_or_create().unwrap();
    assert!(matches!(
        credentials::load(&f.store, &other),
        Err(CredentialsError::Tampered)
    ));
}

#[cfg(unix)]
#[test]
fn key_file_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    credentials::save(&f.store, &f.keys, &token_creds(TOKEN)).unwrap();
    let path = key_file(f.dir.path());
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();

    let err = credentials::load(&f.store, &f.keys).unwrap_err();
    assert!(
        matches!(
            &err,
            CredentialsError::KeyStore(KeyStoreError::InsecureKeyFile { mode: 0o644, .. })
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("chmod 600"), "{message}");
    assert!(message.contains("other users"), "{message}");
    assert_eq!(Error::from(err).code(), ErrorCode::KeyringUnavailable);
    // Saving does not quietly reuse the exposed key either.
    assert!(credentials::save(&f.store, &f.keys, &token_creds(TOKEN)).is_err());

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(credentials::load(&f.store, &f.keys).unwrap().is_some());
}

#[test]
fn invalid_credentials_are_refused_before_anything_is_written() {
    let f = Fixture::new();
    let mut creds = token_creds(TOKEN);
    creds.from_number = None;
    let err = credentials::save(&f.store, &f.keys, &creds).unwrap_err();
    assert!(
        matches!(
            err,
            CredentialsError::Invalid {
                field: "from_number",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("Messaging Service SID"), "{err}");
    assert_eq!(Error::from(err).code(), ErrorCode::InvalidInput);
    assert!(credentials::load(&f.store, &f.keys).unwrap().is_none());
    assert!(!key_file(f.dir.path()).exists());
}

#[test]
fn database_errors_keep_their_own_codes() {
    let err = CredentialsError::Store(clinic_desk_core::store::StoreError::Locked {
        path: PathBuf::from("/x.sqlite3"),
    });
    let err = Error::from(err);
    assert!(matches!(err, Error::Store(_)));
    assert_eq!(err.code(), ErrorCode::DatabaseLocked);
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_secret_never_reaches_the_disk_or_a_debug_dump() {
    let f = Fixture::new();
    let creds = token_creds(TOKEN);
    credentials::save(&f.store, &f.keys, &creds).unwrap();
    let loaded = credentials::load(&f.store, &f.keys).unwrap().unwrap();
    let summary = credentials::summary(&f.store, &f.keys).unwrap().unwrap();
    assert_eq!(token_of(&loaded), TOKEN);

    // Every file in the data folder, while the store is open: the database, its WAL (where the
    // fresh row still sits), the shared-memory index and the key file.
    let db = f.db();
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    assert!(wal.exists(), "expected a WAL file next to the database");
    let mut scanned = Vec::new();
    for entry in std::fs::read_dir(f.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !contains(&bytes, TOKEN.as_bytes()),
            "{} contains the token in clear",
            path.display()
        );
        scanned.push(path);
    }
    assert!(
        scanned.contains(&db) && scanned.contains(&wal),
        "{scanned:?}"
    );

    // Everything handed back, printed.
    let mut dumps = vec![
        format!("{creds:?}"),
        format!("{loaded:?}"),
        format!("{summary:?}"),
        format!("{:?}", loaded.client_config()),
        format!("{:?}", f.keys),
        serde_json::to_string(&summary).unwrap(),
    ];
    f.set_envelope(&[1, 2, 3]);
    let err = credentials::load(&f.store, &f.keys).unwrap_err();
    dumps.push(format!("{err:?}"));
    dumps.push(err.to_string());
    dumps.push(format!("{:?}", Error::from(err).to_ipc()));
    for dump in &dumps {
        assert!(!dump.contains(TOKEN), "leaked in {dump}");
        assert!(!dump.contains("5ecret"), "leaked in {dump}");
    }
    assert!(format!("{loaded:?}").contains("<redacted>"));
}

/// Uses the real OS keyring (Secret Service) under a throwaway entry; skipped when none is
/// reachable, as on CI runners without a D-Bus session.
#[test]
fn real_keyring_round_trip_when_available() {
    let user = format!("test-data-key-{}", std::process::id());
    let keys = match KeyStore::with_keyring_names(
        KeyPolicy::KeyringOnly,
        "com.clinicdesk.desktop.tests",
        &user,
    ) {
        Ok(keys) => keys,
        Err(err) => {
            println!("skipped: no usable OS keyring here ({err})");
            return;
        }
    };
    assert_eq!(keys.source(), &KeySource::Keyring);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("clinic-desk.sqlite3")).unwrap();
    if let Err(err) = credentials::save(&store, &keys, &token_creds(TOKEN)) {
        // A keyring that answers reads but refuses writes (locked collection) is also "none".
        println!("skipped: the OS keyring refused to store a key ({err})");
        return;
    }
    let loaded = credentials::load(&store, &keys).unwrap().unwrap();
    assert_eq!(token_of(&loaded), TOKEN);

    // The entry disappears: a normal "re-enter" state with the exact keyring message.
    assert!(keys.delete_key().unwrap());
    let err = credentials::load(&store, &keys).unwrap_err();
    assert!(matches!(
        err,
        CredentialsError::KeyMissing {
            location: KeySource::Keyring
        }
    ));
    assert_eq!(
        err.to_string(),
        "the encryption key for the saved Twilio credentials is missing from this computer's \
         keyring; an admin must re-enter the credentials in Settings"
    );
    assert!(!keys.delete_key().unwrap());
}
