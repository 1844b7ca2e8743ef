//! Where the data key lives: the OS keyring, or, where no keyring is usable, a key file.
//!
//! The 32-byte key is stored as 64 hex characters in the OS keyring (service
//! [`APP_IDENTIFIER`], user `data-key`) through the `keyring` crate, and created on the first
//! save of credentials. The keyring keeps the key out of the data folder, so a copied database
//! or backup is useless without the user's login.
//!
//! **Fallback.** Ordinary clinic machines sometimes have no usable keyring (no Secret Service,
//! a locked collection, a headless session). There the key can live in a key file next to the
//! database ([`KEY_FILE_NAME`], e.g. `~/.local/share/com.clinicdesk.desktop/clinic-desk.key`),
//! created with permissions 0600 and refused when group or other users can access it. The file
//! is only used when the caller allows it ([`KeyPolicy::KeyringOrFile`], [`KeyPolicy::FileOnly`]),
//! and [`KeyStore::source`] / [`KeyStore::warning`] report it so the app and the CLI show a
//! visible warning: a key file protects against a database copied on its own, not against
//! someone who can read the whole data folder.
//!
//! **Environment.** `CLINIC_DESK_KEY_STORE` ([`KEY_STORE_ENV`]) overrides the policy through
//! [`KeyPolicy::with_env_override`]: `file` forces the key file (tests, machines without a
//! keyring), `keyring` forces the keyring only, `auto` means keyring with file fallback; unset or
//! empty keeps the caller's policy.
//!
//! With [`KeyPolicy::KeyringOrFile`], an existing key file wins (the key stays where it was first
//! created); otherwise the keyring is probed once, at construction, and the file is used only if
//! the probe fails. A keyring that answers "no entry" is usable: no key has been created yet, or
//! it was lost, which the credentials layer reports as a normal "re-enter the credentials" state.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::DataKey;
use crate::paths::APP_IDENTIFIER;

/// Environment variable that overrides the key storage policy (`file`, `keyring`, `auto`).
pub const KEY_STORE_ENV: &str = "CLINIC_DESK_KEY_STORE";
/// File name of the fallback key file, kept next to the database.
pub const KEY_FILE_NAME: &str = "clinic-desk.key";
/// The keyring user (account) name under the app's service name.
pub const KEYRING_USER: &str = "data-key";

/// Where the key may be kept, chosen by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPolicy {
    /// The OS keyring or nothing: without a keyring, saving credentials fails with a clear error.
    KeyringOnly,
    /// The OS keyring when usable, else the key file at `path` (reported as a warning).
    KeyringOrFile { path: PathBuf },
    /// Always the key file at `path`.
    FileOnly { path: PathBuf },
}

impl KeyPolicy {
    /// The fallback key file for the database at `db_path`: [`KEY_FILE_NAME`] in the same folder.
    pub fn default_key_file(db_path: &Path) -> PathBuf {
        db_path.with_file_name(KEY_FILE_NAME)
    }

    /// `self`, unless [`KEY_STORE_ENV`] says otherwise (see the module doc).
    pub fn with_env_override(self, key_file: &Path) -> Result<Self, KeyStoreError> {
        let value = std::env::var(KEY_STORE_ENV).ok();
        self.with_override(value.as_deref(), key_file)
    }

    /// [`KeyPolicy::with_env_override`] with the variable's value passed in.
    pub fn with_override(
        self,
        value: Option<&str>,
        key_file: &Path,
    ) -> Result<Self, KeyStoreError> {
        let path = key_file.to_path_buf();
        match value.map(str::trim) {
            None | Some("") => Ok(self),
            Some(v) if v.eq_ignore_ascii_case("file") => Ok(KeyPolicy::FileOnly { path }),
            Some(v) if v.eq_ignore_ascii_case("keyring") => Ok(KeyPolicy::KeyringOnly),
            Some(v) if v.eq_ignore_ascii_case("auto") => Ok(KeyPolicy::KeyringOrFile { path }),
            Some(v) => Err(KeyStoreError::BadSetting {
                value: v.to_string(),
            }),
        }
    }
}

/// Where the key of this [`KeyStore`] actually lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Keyring,
    File(PathBuf),
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Keyring => f.write_str("this computer's keyring"),
            KeySource::File(path) => write!(f, "the key file {}", path.display()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    #[error(
        "no usable OS keyring on this computer ({detail}); the encryption key for the Twilio \
         credentials can be kept in a key file in the data folder instead (allow the key-file \
         fallback, or set {KEY_STORE_ENV}=file)"
    )]
    KeyringUnavailable { detail: String },

    #[error(
        "the key file {} can be accessed by other users (permissions {mode:03o}); run \
         `chmod 600 {}` so only your account can read it, then try again",
        path.display(),
        path.display()
    )]
    InsecureKeyFile { path: PathBuf, mode: u32 },

    #[error("cannot {action} the key file {}: {detail}", path.display())]
    KeyFile {
        path: PathBuf,
        action: &'static str,
        detail: String,
    },

    #[error(
        "the encryption key in {location} is damaged ({detail}); remove it, then an admin must \
         re-enter the Twilio credentials in Settings"
    )]
    CorruptKey { location: KeySource, detail: String },

    #[error("cannot create an encryption key: {detail}")]
    Random { detail: String },

    #[error("{KEY_STORE_ENV} is set to {value:?}; use \"file\", \"keyring\" or \"auto\"")]
    BadSetting { value: String },
}

/// Loads and creates the data key from the source chosen at construction.
pub struct KeyStore {
    source: KeySource,
    entry: Option<keyring::Entry>,
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("source", &self.source)
            .finish()
    }
}

impl KeyStore {
    /// Picks the key's source under `policy`, probing the OS keyring (service
    /// [`APP_IDENTIFIER`], user [`KEYRING_USER`]) when the policy allows it.
    pub fn new(policy: KeyPolicy) -> Result<Self, KeyStoreError> {
        Self::with_keyring_names(policy, APP_IDENTIFIER, KEYRING_USER)
    }

    /// Like [`KeyStore::new`] with another keyring service and user name (a separate key for
    /// tests or a second installation).
    pub fn with_keyring_names(
        policy: KeyPolicy,
        service: &str,
        user: &str,
    ) -> Result<Self, KeyStoreError> {
        if let KeyPolicy::FileOnly { path } = policy {
            return Ok(Self::file(path));
        }
        match keyring::Entry::new(service, user) {
            Ok(entry) => Self::with_keyring_entry(policy, entry),
            Err(err) => Self::choose(policy, None, Some(err.to_string())),
        }
    }

    /// Like [`KeyStore::new`] with a given keyring entry (another service name, or a mock
    /// credential in tests).
    pub fn with_keyring_entry(
        policy: KeyPolicy,
        entry: keyring::Entry,
    ) -> Result<Self, KeyStoreError> {
        if let KeyPolicy::FileOnly { path } = policy {
            return Ok(Self::file(path));
        }
        if let KeyPolicy::KeyringOrFile { path } = &policy {
            if path.exists() {
                return Ok(Self::file(path.clone()));
            }
        }
        let problem = probe(&entry).err();
        Self::choose(policy, Some(entry), problem)
    }

    fn choose(
        policy: KeyPolicy,
        entry: Option<keyring::Entry>,
        problem: Option<String>,
    ) -> Result<Self, KeyStoreError> {
        match (policy, entry, problem) {
            (KeyPolicy::FileOnly { path }, _, _) => Ok(Self::file(path)),
            (_, Some(entry), None) => Ok(KeyStore {
                source: KeySource::Keyring,
                entry: Some(entry),
            }),
            (KeyPolicy::KeyringOrFile { path }, _, problem) => {
                tracing::warn!(
                    key_file = %path.display(),
                    problem = problem.as_deref().unwrap_or("unknown"),
                    "no usable OS keyring; using the key-file fallback"
                );
                Ok(Self::file(path))
            }
            (KeyPolicy::KeyringOnly, _, problem) => Err(KeyStoreError::KeyringUnavailable {
                detail: problem.unwrap_or_else(|| "unknown error".to_string()),
            }),
        }
    }

    fn file(path: PathBuf) -> Self {
        KeyStore {
            source: KeySource::File(path),
            entry: None,
        }
    }

    /// Where the key lives; `File` deserves a visible warning (see [`KeyStore::warning`]).
    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// A warning for the admin when the key is not in the OS keyring.
    pub fn warning(&self) -> Option<String> {
        match &self.source {
            KeySource::Keyring => None,
            KeySource::File(path) => Some(format!(
                "No OS keyring is in use: the key that encrypts the Twilio credentials is kept in \
                 the file {}. Anyone who can read both that file and the database can recover \
                 the credentials, so keep the data folder private to your account.",
                path.display()
            )),
        }
    }

    /// The key, or `None` when none has been created (or it was lost).
    pub fn load(&self) -> Result<Option<DataKey>, KeyStoreError> {
        match (&self.source, &self.entry) {
            (KeySource::Keyring, Some(entry)) => load_from_keyring(entry),
            (KeySource::File(path), _) => load_from_file(path),
            (KeySource::Keyring, None) => Err(KeyStoreError::KeyringUnavailable {
                detail: "no keyring entry".to_string(),
            }),
        }
    }

    /// The key, created and stored first if there is none yet.
    pub fn load_or_create(&self) -> Result<DataKey, KeyStoreError> {
        if let Some(key) = self.load()? {
            return Ok(key);
        }
        let key = DataKey::generate().map_err(|e| KeyStoreError::Random {
            detail: e.to_string(),
        })?;
        match (&self.source, &self.entry) {
            (KeySource::File(path), _) => create_file(path, &key)?,
            (KeySource::Keyring, Some(entry)) => entry
                .set_password(key.to_hex().as_str())
                .map_err(keyring_error)?,
            (KeySource::Keyring, None) => {
                return Err(KeyStoreError::KeyringUnavailable {
                    detail: "no keyring entry".to_string(),
                })
            }
        }
        // Read back what is stored: if another process created a key at the same moment, both
        // end up using the one that was kept.
        self.load()?.ok_or_else(|| match &self.source {
            KeySource::Keyring => KeyStoreError::KeyringUnavailable {
                detail: "the keyring accepted the key but does not return it".to_string(),
            },
            KeySource::File(path) => KeyStoreError::KeyFile {
                path: path.clone(),
                action: "read back",
                detail: "it disappeared right after being written".to_string(),
            },
        })
    }

    /// Deletes the stored key. Every envelope it sealed becomes unreadable (`KeyMissing`), so
    /// this is only for a deliberate reset. Returns whether a key was there.
    pub fn delete_key(&self) -> Result<bool, KeyStoreError> {
        match (&self.source, &self.entry) {
            (KeySource::Keyring, Some(entry)) => match entry.delete_credential() {
                Ok(()) => Ok(true),
                Err(keyring::Error::NoEntry) => Ok(false),
                Err(err) => Err(keyring_error(err)),
            },
            (KeySource::File(path), _) => match std::fs::remove_file(path) {
                Ok(()) => Ok(true),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
                Err(err) => Err(file_error(path, "delete", err)),
            },
            (KeySource::Keyring, None) => Ok(false),
        }
    }
}

/// `Ok` when the keyring answers (with a key or with "no entry").
fn probe(entry: &keyring::Entry) -> Result<(), String> {
    match entry.get_password().map(Zeroizing::new) {
        Ok(_) | Err(keyring::Error::NoEntry) | Err(keyring::Error::BadEncoding(_)) => Ok(()),
        Err(err) => Err(err.to_string()),
    }
}

fn keyring_error(err: keyring::Error) -> KeyStoreError {
    KeyStoreError::KeyringUnavailable {
        detail: err.to_string(),
    }
}

fn load_from_keyring(entry: &keyring::Entry) -> Result<Option<DataKey>, KeyStoreError> {
    match entry.get_password().map(Zeroizing::new) {
        Ok(hex) => DataKey::from_hex(&hex)
            .map(Some)
            .map_err(|e| KeyStoreError::CorruptKey {
                location: KeySource::Keyring,
                detail: e.to_string(),
            }),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(keyring::Error::BadEncoding(_)) => Err(KeyStoreError::CorruptKey {
            location: KeySource::Keyring,
            detail: "the stored value is not text".to_string(),
        }),
        Err(err) => Err(keyring_error(err)),
    }
}

fn file_error(path: &Path, action: &'static str, err: std::io::Error) -> KeyStoreError {
    KeyStoreError::KeyFile {
        path: path.to_path_buf(),
        action,
        detail: err.to_string(),
    }
}

fn load_from_file(path: &Path) -> Result<Option<DataKey>, KeyStoreError> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(file_error(path, "open", err)),
    };
    let meta = file
        .metadata()
        .map_err(|e| file_error(path, "inspect", e))?;
    if !meta.is_file() {
        return Err(KeyStoreError::KeyFile {
            path: path.to_path_buf(),
            action: "read",
            detail: "it is not a regular file".to_string(),
        });
    }
    check_private(path, &meta)?;
    let mut text = Zeroizing::new(String::new());
    file.read_to_string(&mut text)
        .map_err(|e| file_error(path, "read", e))?;
    DataKey::from_hex(&text)
        .map(Some)
        .map_err(|e| KeyStoreError::CorruptKey {
            location: KeySource::File(path.to_path_buf()),
            detail: e.to_string(),
        })
}

#[cfg(unix)]
fn check_private(path: &Path, meta: &std::fs::Metadata) -> Result<(), KeyStoreError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyStoreError::InsecureKeyFile {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), KeyStoreError> {
    // The per-user data folder's ACL is what protects the file on these systems.
    Ok(())
}

fn create_file(path: &Path, key: &DataKey) -> Result<(), KeyStoreError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| file_error(parent, "create the folder of", e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        // Another process created it first: the caller reads that one back.
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
        Err(err) => return Err(file_error(path, "create", err)),
    };
    let mut line = Zeroizing::new(key.to_hex().as_str().to_string());
    line.push('\n');
    file.write_all(line.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| file_error(path, "write", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyring::mock::MockCredential;

    fn mock_entry() -> keyring::Entry {
        keyring::Entry::new_with_credential(Box::new(MockCredential::default()))
    }

    fn failing_entry(err: keyring::Error) -> keyring::Entry {
        let entry = mock_entry();
        let mock: &MockCredential = entry.get_credential().downcast_ref().unwrap();
        mock.set_error(err);
        entry
    }

    fn platform_failure() -> keyring::Error {
        keyring::Error::PlatformFailure("no D-Bus session".into())
    }

    #[test]
    fn env_override_values() {
        let file = Path::new("/tmp/x/clinic-desk.key");
        let base = KeyPolicy::KeyringOnly;
        assert_eq!(base.clone().with_override(None, file).unwrap(), base);
        assert_eq!(base.clone().with_override(Some(""), file).unwrap(), base);
        assert_eq!(
            base.clone().with_override(Some("file"), file).unwrap(),
            KeyPolicy::FileOnly {
                path: file.to_path_buf()
            }
        );
        assert_eq!(
            base.clone().with_override(Some("AUTO"), file).unwrap(),
            KeyPolicy::KeyringOrFile {
                path: file.to_path_buf()
            }
        );
        assert_eq!(
            KeyPolicy::FileOnly {
                path: file.to_path_buf()
            }
            .with_override(Some("keyring"), file)
            .unwrap(),
            KeyPolicy::KeyringOnly
        );
        let err = base.with_override(Some("plaintext"), file).unwrap_err();
        assert!(err.to_string().contains(KEY_STORE_ENV), "{err}");
    }

    #[test]
    fn default_key_file_sits_next_to_the_database() {
        assert_eq!(
            KeyPolicy::default_key_file(Path::new("/data/clinic-desk.sqlite3")),
            PathBuf::from("/data/clinic-desk.key")
        );
    }

    #[test]
    fn keyring_key_is_created_once_and_reused() {
        let keys = KeyStore::with_keyring_entry(KeyPolicy::KeyringOnly, mock_entry()).unwrap();
        assert_eq!(keys.source(), &KeySource::Keyring);
        assert!(keys.warning().is_none());
        assert!(keys.load().unwrap().is_none());
        let first = keys.load_or_create().unwrap();
        let second = keys.load_or_create().unwrap();
        assert_eq!(first.to_hex(), second.to_hex());
    }

    #[test]
    fn keyring_only_without_a_keyring_is_a_clear_error() {
        let err =
            KeyStore::with_keyring_entry(KeyPolicy::KeyringOnly, failing_entry(platform_failure()))
                .unwrap_err();
        assert!(matches!(err, KeyStoreError::KeyringUnavailable { .. }));
        assert!(err.to_string().contains("no usable OS keyring"), "{err}");
        assert!(err.to_string().contains("no D-Bus session"), "{err}");
    }

    #[test]
    fn keyring_or_file_falls_back_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        let keys = KeyStore::with_keyring_entry(
            KeyPolicy::KeyringOrFile { path: path.clone() },
            failing_entry(keyring::Error::NoStorageAccess("locked".into())),
        )
        .unwrap();
        assert_eq!(keys.source(), &KeySource::File(path.clone()));
        assert!(keys
            .warning()
            .unwrap()
            .contains(&path.display().to_string()));
    }

    #[test]
    fn keyring_or_file_prefers_an_existing_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        let file_keys = KeyStore::new(KeyPolicy::FileOnly { path: path.clone() }).unwrap();
        let created = file_keys.load_or_create().unwrap();
        let keys = KeyStore::with_keyring_entry(
            KeyPolicy::KeyringOrFile { path: path.clone() },
            mock_entry(),
        )
        .unwrap();
        assert_eq!(keys.source(), &KeySource::File(path));
        assert_eq!(keys.load().unwrap().unwrap().to_hex(), created.to_hex());
    }

    #[test]
    fn keyring_or_file_uses_a_working_keyring() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        let keys = KeyStore::with_keyring_entry(
            KeyPolicy::KeyringOrFile { path: path.clone() },
            mock_entry(),
        )
        .unwrap();
        assert_eq!(keys.source(), &KeySource::Keyring);
        keys.load_or_create().unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn garbage_in_the_keyring_is_reported_as_a_damaged_key() {
        let entry = mock_entry();
        entry.set_password("not a key").unwrap();
        let keys = KeyStore::with_keyring_entry(KeyPolicy::KeyringOnly, entry).unwrap();
        let err = keys.load().unwrap_err();
        assert!(matches!(err, KeyStoreError::CorruptKey { .. }), "{err:?}");
        assert!(err.to_string().contains("keyring"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_created_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join(KEY_FILE_NAME);
        let keys = KeyStore::new(KeyPolicy::FileOnly { path: path.clone() }).unwrap();
        let key = keys.load_or_create().unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim(), key.to_hex().as_str());
    }
}
