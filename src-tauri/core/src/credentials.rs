//! The clinic's Twilio credentials: checked, encrypted and kept in the single `credentials` row.
//!
//! [`save`] checks the shape of every field (so a typo is caught before Twilio is asked), seals
//! the auth token or API key secret with the data key ([`crate::crypto`]) and replaces the row;
//! saving again is a rotation (a new nonce and envelope, the old one overwritten). [`load`]
//! decrypts it for the Twilio client; [`summary`] gives the UI what it may show, with the secret
//! masked. The plain secret only ever exists inside a [`Secret`], which redacts itself.
//!
//! Limits: this module checks shapes only; whether Twilio accepts the credentials, owns the
//! number or knows the Messaging Service is the Save & Test step's job. A lost key or a damaged
//! envelope is a normal state (`KeyMissing`, `Tampered`): the admin re-enters the credentials.

use serde::Serialize;
use ts_rs::TS;

use crate::crypto::{self, CryptoError, KeyStoreError};
use crate::store::audit::{AuditAction, AuditEntry};
use crate::store::{now_ms, Store, StoreError};
use crate::twilio::{Auth, ClientConfig, Secret};

pub use crate::crypto::{KeyPolicy, KeySource, KeyStore};

/// Everything needed to talk to the clinic's Twilio account. Debug never shows the secret.
#[derive(Clone, Debug)]
pub struct TwilioCredentials {
    pub account_sid: String,
    pub auth: Auth,
    /// The clinic's Twilio number, E.164 (`+15551234567`).
    pub from_number: Option<String>,
    /// A Messaging Service (`MG…`) to send through instead of, or as well as, a number.
    pub messaging_service_sid: Option<String>,
    /// `https://api.twilio.com` in production, the simulator's URL in demo mode and tests.
    pub api_base: String,
}

impl TwilioCredentials {
    /// Checks every field's shape; the error names the field and says how to fix it. Empty
    /// optional fields count as absent.
    pub fn validate(&self) -> Result<(), CredentialsError> {
        check_sid("account_sid", "Account SID", "AC", &self.account_sid)?;
        match &self.auth {
            Auth::Token(token) => check_secret("auth_token", "Auth Token", token)?,
            Auth::ApiKey { key_sid, secret } => {
                check_sid("api_key_sid", "API Key SID", "SK", key_sid)?;
                check_secret("api_key_secret", "API Key secret", secret)?;
            }
        }
        let from = non_empty(&self.from_number);
        let service = non_empty(&self.messaging_service_sid);
        if let Some(number) = from {
            check_e164(number)?;
        }
        if let Some(sid) = service {
            check_sid("messaging_service_sid", "Messaging Service SID", "MG", sid)?;
        }
        if from.is_none() && service.is_none() {
            return Err(CredentialsError::invalid(
                "from_number",
                "enter the clinic's Twilio phone number or a Messaging Service SID: texts need \
                 one of them to be sent from",
            ));
        }
        check_api_base(&self.api_base)
    }

    /// The Twilio client configuration for these credentials.
    pub fn client_config(&self) -> ClientConfig {
        ClientConfig::new(&self.api_base, &self.account_sid, self.auth.clone())
    }
}

/// Which kind of secret is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    AuthToken,
    ApiKey,
}

/// What the UI may show about the saved credentials: no secret, only its last four characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsSummary {
    pub account_sid: String,
    pub auth_kind: AuthKind,
    pub api_key_sid: Option<String>,
    /// The number texts come from, or the Messaging Service SID when there is no number.
    pub sender: String,
    pub from_number: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub api_base: String,
    /// `••••` and the secret's last four characters.
    pub masked_secret: String,
    /// Epoch milliseconds of the last save.
    pub updated_at: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// A field has the wrong shape; `field` is the `TwilioCredentials` field name.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },

    /// An envelope is saved but the key that sealed it is gone (new computer, wiped keyring,
    /// deleted key file). Normal state: the admin re-enters the credentials.
    #[error("{}", key_missing_message(.location))]
    KeyMissing { location: KeySource },

    /// The envelope failed its integrity check (changed bytes, another account's row, another
    /// key) or is cut short.
    #[error(
        "the saved Twilio credentials cannot be decrypted: they were changed outside Clinic \
         Desk, copied from another account, or encrypted with a different key; an admin must \
         re-enter the credentials in Settings"
    )]
    Tampered,

    #[error(
        "the saved Twilio credentials use encryption format version {found}, which this version \
         of Clinic Desk cannot read; update Clinic Desk, or have an admin re-enter the \
         credentials in Settings"
    )]
    UnsupportedVersion { found: u8 },

    /// The key could not be loaded or stored (no keyring, unsafe key file, damaged key).
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),

    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CredentialsError {
    fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        CredentialsError::Invalid {
            field,
            message: message.into(),
        }
    }

    /// True for the states an admin resolves by re-entering the credentials.
    pub fn needs_reentry(&self) -> bool {
        matches!(
            self,
            CredentialsError::KeyMissing { .. }
                | CredentialsError::Tampered
                | CredentialsError::UnsupportedVersion { .. }
        )
    }
}

impl From<CredentialsError> for crate::Error {
    /// Database failures keep their own codes (locked, too new, ...) by becoming `Error::Store`.
    fn from(err: CredentialsError) -> Self {
        match err {
            CredentialsError::Store(store) => crate::Error::Store(store),
            other => crate::Error::Credentials(other),
        }
    }
}

fn key_missing_message(location: &KeySource) -> String {
    match location {
        KeySource::Keyring => "the encryption key for the saved Twilio credentials is missing \
                               from this computer's keyring; an admin must re-enter the \
                               credentials in Settings"
            .to_string(),
        KeySource::File(path) => format!(
            "the encryption key for the saved Twilio credentials is missing (the key file {} \
             does not exist); an admin must re-enter the credentials in Settings",
            path.display()
        ),
    }
}

impl From<CryptoError> for CredentialsError {
    fn from(err: CryptoError) -> Self {
        match err {
            CryptoError::UnsupportedVersion(found) => {
                CredentialsError::UnsupportedVersion { found }
            }
            CryptoError::Tampered | CryptoError::Truncated { .. } => CredentialsError::Tampered,
            // `seal` and `open` never report a malformed key (a `DataKey` is always 32 bytes);
            // treat it like any other envelope that cannot be opened.
            CryptoError::InvalidKey { .. } => CredentialsError::Tampered,
            CryptoError::Random { detail } => {
                CredentialsError::KeyStore(KeyStoreError::Random { detail })
            }
            CryptoError::TooLong => CredentialsError::invalid(
                "auth",
                "the secret is far too long; copy it again from the Twilio Console",
            ),
        }
    }
}

/// Who the audit log names for a change made through [`save`] or [`delete`]: the desktop app's
/// front desk, which has no per-person sign-in.
pub const DEFAULT_ACTOR: &str = "front desk";

/// [`save_as`] by [`DEFAULT_ACTOR`].
pub fn save(
    store: &Store,
    keys: &KeyStore,
    creds: &TwilioCredentials,
) -> Result<(), CredentialsError> {
    save_as(store, keys, creds, DEFAULT_ACTOR)
}

/// Checks and encrypts `creds` and replaces the saved credentials with them, creating the data
/// key on first use. The change is audited with the account and sender only: no part of the
/// secret.
pub fn save_as(
    store: &Store,
    keys: &KeyStore,
    creds: &TwilioCredentials,
    actor: &str,
) -> Result<(), CredentialsError> {
    creds.validate()?;
    let change = if store.credentials_row()?.is_some() {
        "rotated"
    } else {
        "saved"
    };
    let key = keys.load_or_create()?;
    let (api_key_sid, secret) = match &creds.auth {
        Auth::Token(token) => (None, token),
        Auth::ApiKey { key_sid, secret } => (Some(key_sid.as_str()), secret),
    };
    let audit = AuditEntry::new(
        now_ms(),
        actor,
        AuditAction::CredentialsChanged,
        "",
        serde_json::json!({
            "change": change,
            "account_sid": creds.account_sid,
            "auth_kind": if api_key_sid.is_some() { "api_key" } else { "auth_token" },
            "api_key_sid": api_key_sid,
            "from_number": non_empty(&creds.from_number),
            "messaging_service_sid": non_empty(&creds.messaging_service_sid),
            "api_base": creds.api_base,
        }),
    );
    let envelope = crypto::seal(
        &key,
        secret.expose().as_bytes(),
        creds.account_sid.as_bytes(),
    )?;
    store.put_credentials_row(
        &creds.account_sid,
        api_key_sid,
        &envelope,
        non_empty(&creds.from_number),
        non_empty(&creds.messaging_service_sid),
        &creds.api_base,
        &audit,
    )?;
    tracing::info!(account_sid = %creds.account_sid, "Twilio credentials saved");
    Ok(())
}

/// The saved credentials, decrypted; `None` when none are saved (demo mode).
pub fn load(store: &Store, keys: &KeyStore) -> Result<Option<TwilioCredentials>, CredentialsError> {
    let Some(row) = store.credentials_row()? else {
        return Ok(None);
    };
    let secret = decrypt(keys, &row.secret_envelope, &row.account_sid)?;
    let auth = match row.api_key_sid {
        Some(key_sid) => Auth::ApiKey { key_sid, secret },
        None => Auth::Token(secret),
    };
    Ok(Some(TwilioCredentials {
        account_sid: row.account_sid,
        auth,
        from_number: row.from_number,
        messaging_service_sid: row.messaging_service_sid,
        api_base: row.api_base,
    }))
}

/// What Settings shows: the saved account with the secret masked. Decrypts to build the mask, so
/// a lost key or damaged envelope surfaces here too, as a re-enter error.
pub fn summary(
    store: &Store,
    keys: &KeyStore,
) -> Result<Option<CredentialsSummary>, CredentialsError> {
    let Some(row) = store.credentials_row()? else {
        return Ok(None);
    };
    let secret = decrypt(keys, &row.secret_envelope, &row.account_sid)?;
    let sender = row
        .from_number
        .clone()
        .or_else(|| row.messaging_service_sid.clone())
        .unwrap_or_default();
    Ok(Some(CredentialsSummary {
        auth_kind: if row.api_key_sid.is_some() {
            AuthKind::ApiKey
        } else {
            AuthKind::AuthToken
        },
        account_sid: row.account_sid,
        api_key_sid: row.api_key_sid,
        sender,
        from_number: row.from_number,
        messaging_service_sid: row.messaging_service_sid,
        api_base: row.api_base,
        masked_secret: secret.masked(),
        updated_at: row.updated_at,
    }))
}

/// [`delete_as`] by [`DEFAULT_ACTOR`].
pub fn delete(store: &Store) -> Result<bool, CredentialsError> {
    delete_as(store, DEFAULT_ACTOR)
}

/// Forgets the saved credentials (the app returns to demo mode); audited when there were some.
/// The data key is kept for the next save. Returns whether credentials were saved.
pub fn delete_as(store: &Store, actor: &str) -> Result<bool, CredentialsError> {
    let audit = AuditEntry::new(
        now_ms(),
        actor,
        AuditAction::CredentialsChanged,
        "",
        serde_json::json!({ "change": "deleted" }),
    );
    Ok(store.delete_credentials_row(&audit)?)
}

fn decrypt(
    keys: &KeyStore,
    envelope: &[u8],
    account_sid: &str,
) -> Result<Secret, CredentialsError> {
    let key = keys.load()?.ok_or_else(|| CredentialsError::KeyMissing {
        location: keys.source().clone(),
    })?;
    let plain = crypto::open(&key, envelope, account_sid.as_bytes())?;
    let text = std::str::from_utf8(&plain).map_err(|_| CredentialsError::Tampered)?;
    Ok(Secret::new(text))
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.trim().is_empty())
}

fn check_sid(
    field: &'static str,
    label: &str,
    prefix: &str,
    value: &str,
) -> Result<(), CredentialsError> {
    let ok = value.len() == 34
        && value.starts_with(prefix)
        && value[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        return Ok(());
    }
    // The value itself is not echoed: a secret pasted into the wrong box must not end up in a
    // message or a log.
    let hint = if value.trim() != value {
        " (remove the spaces or line breaks around it)"
    } else {
        ""
    };
    Err(CredentialsError::invalid(
        field,
        format!(
            "the {label} must be \"{prefix}\" followed by 32 hexadecimal characters (0-9, a-f), \
             34 characters in all{hint}; copy it from the Twilio Console"
        ),
    ))
}

fn check_secret(field: &'static str, label: &str, secret: &Secret) -> Result<(), CredentialsError> {
    if secret.expose().trim().is_empty() {
        return Err(CredentialsError::invalid(
            field,
            format!("the {label} is empty; copy it from the Twilio Console"),
        ));
    }
    if secret.expose().chars().any(char::is_whitespace) {
        return Err(CredentialsError::invalid(
            field,
            format!(
                "the {label} contains spaces or line breaks; copy it again from the Twilio \
                 Console"
            ),
        ));
    }
    Ok(())
}

fn check_e164(number: &str) -> Result<(), CredentialsError> {
    let digits = number.strip_prefix('+').unwrap_or("");
    let ok = (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        return Ok(());
    }
    Err(CredentialsError::invalid(
        "from_number",
        "the clinic's Twilio number must be in international format: \"+\", the country code \
         and the number, 8 to 15 digits with no spaces (for example +15551234567)",
    ))
}

fn check_api_base(api_base: &str) -> Result<(), CredentialsError> {
    let bad = |why: &str| {
        CredentialsError::invalid(
            "api_base",
            format!(
                "the Twilio API address {why}; use https://api.twilio.com (or the simulator's \
                 http:// address in demo mode)"
            ),
        )
    };
    if api_base.trim() != api_base || api_base.is_empty() {
        return Err(bad("is empty or has spaces around it"));
    }
    let url = reqwest::Url::parse(api_base).map_err(|_| bad("is not a valid web address"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must start with https:// or http://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host name"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not contain a user name or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not contain \"?\" or \"#\""));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "AC0123456789abcdef0123456789ABCDEF";

    fn creds() -> TwilioCredentials {
        TwilioCredentials {
            account_sid: ACCOUNT.to_string(),
            auth: Auth::Token(Secret::new("f00dfacecafebeef1234")),
            from_number: Some("+15551234567".to_string()),
            messaging_service_sid: None,
            api_base: "https://api.twilio.com".to_string(),
        }
    }

    fn field_of(c: &TwilioCredentials) -> Option<&'static str> {
        match c.validate() {
            Ok(()) => None,
            Err(CredentialsError::Invalid { field, .. }) => Some(field),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn valid_credentials_pass() {
        assert_eq!(field_of(&creds()), None);
        let mut c = creds();
        c.from_number = None;
        c.messaging_service_sid = Some("MG0123456789abcdef0123456789abcdef".to_string());
        c.auth = Auth::ApiKey {
            key_sid: "SK0123456789abcdef0123456789abcdef".to_string(),
            secret: Secret::new("s3cr3t"),
        };
        c.api_base = "http://127.0.0.1:4010".to_string();
        assert_eq!(field_of(&c), None);
    }

    #[test]
    fn each_bad_field_is_named() {
        type Change = Box<dyn Fn(&mut TwilioCredentials)>;
        let cases: Vec<(&str, Change)> = vec![
            ("account_sid", Box::new(|c| c.account_sid = "AC123".into())),
            (
                "account_sid",
                Box::new(|c| c.account_sid = "SK0123456789abcdef0123456789abcdef".into()),
            ),
            (
                "account_sid",
                Box::new(|c| c.account_sid = "AC0123456789abcdef0123456789abcdeg".into()),
            ),
            (
                "auth_token",
                Box::new(|c| c.auth = Auth::Token(Secret::new(""))),
            ),
            (
                "auth_token",
                Box::new(|c| c.auth = Auth::Token(Secret::new("abc def"))),
            ),
            (
                "api_key_sid",
                Box::new(|c| {
                    c.auth = Auth::ApiKey {
                        key_sid: ACCOUNT.into(),
                        secret: Secret::new("x"),
                    }
                }),
            ),
            (
                "api_key_secret",
                Box::new(|c| {
                    c.auth = Auth::ApiKey {
                        key_sid: "SK0123456789abcdef0123456789abcdef".into(),
                        secret: Secret::new(" "),
                    }
                }),
            ),
            (
                "from_number",
                Box::new(|c| c.from_number = Some("5551234567".into())),
            ),
            (
                "from_number",
                Box::new(|c| c.from_number = Some("+1555".into())),
            ),
            (
                "from_number",
                Box::new(|c| c.from_number = Some("+1 555 123 4567".into())),
            ),
            (
                "from_number",
                Box::new(|c| c.from_number = Some("+1234567890123456".into())),
            ),
            ("from_number", Box::new(|c| c.from_number = Some("".into()))),
            (
                "messaging_service_sid",
                Box::new(|c| c.messaging_service_sid = Some("MG12".into())),
            ),
            (
                "api_base",
                Box::new(|c| c.api_base = "api.twilio.com".into()),
            ),
            (
                "api_base",
                Box::new(|c| c.api_base = "ftp://api.twilio.com".into()),
            ),
            ("api_base", Box::new(|c| c.api_base = "".into())),
            (
                "api_base",
                Box::new(|c| c.api_base = "https://user:pw@api.twilio.com".into()),
            ),
        ];
        for (expected, change) in cases {
            let mut c = creds();
            change(&mut c);
            assert_eq!(field_of(&c), Some(expected), "{c:?}");
        }
    }

    #[test]
    fn messages_do_not_echo_the_value() {
        let mut c = creds();
        c.account_sid = "tok_pasted_in_the_wrong_box".into();
        let err = c.validate().unwrap_err().to_string();
        assert!(!err.contains("tok_pasted"), "{err}");
        assert!(err.contains("Account SID"), "{err}");
    }

    #[test]
    fn key_missing_message_for_the_keyring_is_exact() {
        let err = CredentialsError::KeyMissing {
            location: KeySource::Keyring,
        };
        assert_eq!(
            err.to_string(),
            "the encryption key for the saved Twilio credentials is missing from this \
             computer's keyring; an admin must re-enter the credentials in Settings"
        );
        assert!(err.needs_reentry());
    }

    #[test]
    fn lost_keyring_entry_is_key_missing_and_resave_recovers() {
        use keyring::mock::MockCredential;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("c.sqlite3")).unwrap();
        let entry = keyring::Entry::new_with_credential(Box::new(MockCredential::default()));
        let keys = KeyStore::with_keyring_entry(KeyPolicy::KeyringOnly, entry).unwrap();
        save(&store, &keys, &creds()).unwrap();
        assert!(load(&store, &keys).unwrap().is_some());

        // The keyring entry disappears (new login, wiped keyring).
        let fresh = keyring::Entry::new_with_credential(Box::new(MockCredential::default()));
        let keys = KeyStore::with_keyring_entry(KeyPolicy::KeyringOnly, fresh).unwrap();
        let err = load(&store, &keys).unwrap_err();
        assert!(
            matches!(
                err,
                CredentialsError::KeyMissing {
                    location: KeySource::Keyring
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("keyring"), "{err}");
        assert!(matches!(
            summary(&store, &keys),
            Err(CredentialsError::KeyMissing { .. })
        ));

        // Re-entering the credentials creates a new key and makes them readable again.
        save(&store, &keys, &creds()).unwrap();
        let loaded = load(&store, &keys).unwrap().unwrap();
        match loaded.auth {
            Auth::Token(t) => assert_eq!(t.expose(), "f00dfacecafebeef1234"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
