//! Encryption at rest for the few secrets the database must hold (the Twilio auth token or API key
//! secret), and the storage of the key that protects them.
//!
//! A secret is sealed with AES-256-GCM into a versioned envelope:
//!
//! ```text
//! version (1 byte, currently 1) | nonce (12 random bytes, new for every seal) | ciphertext + tag
//! ```
//!
//! The caller passes associated data (the Twilio account SID) that is authenticated but not
//! stored: an envelope copied into another account's row fails to open, exactly like one whose
//! bytes were changed. The version byte lets a later release change the algorithm while still
//! reading, or at least clearly refusing, older envelopes.
//!
//! Limits: this protects a copied or backed-up database file, not a running session of the same
//! user, who can read the key from their own keyring. The key itself lives outside the database:
//! in the OS keyring, or in a documented key-file fallback where there is none
//! (`CLINIC_DESK_KEY_STORE=file` forces the file; see [`keystore`]).

pub mod keystore;

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use rand::TryRngCore;
use zeroize::Zeroizing;

pub use keystore::{KeyPolicy, KeySource, KeyStore, KeyStoreError, KEY_FILE_NAME, KEY_STORE_ENV};

/// The envelope format this build writes.
pub const ENVELOPE_VERSION: u8 = 1;
/// Length of a data key in bytes (AES-256).
pub const KEY_LEN: usize = 32;
/// Length of the random nonce in an envelope.
pub const NONCE_LEN: usize = 12;
/// Length of the GCM authentication tag at the end of an envelope.
pub const TAG_LEN: usize = 16;
/// The shortest possible envelope: an empty plaintext.
pub const MIN_ENVELOPE_LEN: usize = 1 + NONCE_LEN + TAG_LEN;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error(
        "the encrypted data failed its integrity check: it was changed, belongs to another \
         account, or was encrypted with a different key"
    )]
    Tampered,

    #[error(
        "the encrypted data uses format version {0}, which this version of Clinic Desk cannot \
         read; update Clinic Desk or re-enter the secret"
    )]
    UnsupportedVersion(u8),

    #[error("the encrypted data is too short to be valid ({len} bytes); it is damaged")]
    Truncated { len: usize },

    #[error("the encryption key is malformed: {reason}")]
    InvalidKey { reason: String },

    #[error("the operating system could not provide random bytes: {detail}")]
    Random { detail: String },

    #[error("the secret is too long to encrypt")]
    TooLong,
}

/// The 32-byte key that seals secrets. Wiped from memory on drop; Debug never shows it.
pub struct DataKey(Zeroizing<[u8; KEY_LEN]>);

impl DataKey {
    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        fill_random(bytes.as_mut())?;
        Ok(DataKey(bytes))
    }

    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        key.copy_from_slice(&bytes);
        let mut bytes = bytes;
        zeroize::Zeroize::zeroize(&mut bytes);
        DataKey(key)
    }

    /// Parses the 64-character hex form written by [`DataKey::to_hex`]; surrounding whitespace
    /// (a trailing newline in a key file) is ignored.
    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let text = text.trim();
        if text.len() != KEY_LEN * 2 {
            return Err(CryptoError::InvalidKey {
                reason: format!(
                    "expected {} hexadecimal characters, found {}",
                    KEY_LEN * 2,
                    text.len()
                ),
            });
        }
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        for (i, pair) in text.as_bytes().chunks_exact(2).enumerate() {
            match (hex_value(pair[0]), hex_value(pair[1])) {
                (Some(hi), Some(lo)) => key[i] = (hi << 4) | lo,
                _ => {
                    return Err(CryptoError::InvalidKey {
                        reason: "it contains characters that are not hexadecimal".to_string(),
                    })
                }
            }
        }
        Ok(DataKey(key))
    }

    /// Lowercase hex, for the keyring entry or the key file. Wiped when dropped.
    pub fn to_hex(&self) -> Zeroizing<String> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = Zeroizing::new(String::with_capacity(KEY_LEN * 2));
        for byte in self.0.iter() {
            out.push(DIGITS[usize::from(byte >> 4)] as char);
            out.push(DIGITS[usize::from(byte & 0x0f)] as char);
        }
        out
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(self.0.as_ref()))
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn fill_random(buf: &mut [u8]) -> Result<(), CryptoError> {
    rand::rngs::OsRng
        .try_fill_bytes(buf)
        .map_err(|e| CryptoError::Random {
            detail: e.to_string(),
        })
}

/// Encrypts `plaintext` under `key`, binding `associated_data`, into a version-1 envelope with a
/// fresh random nonce (so sealing the same secret twice gives different envelopes).
pub fn seal(
    key: &DataKey,
    plaintext: &[u8],
    associated_data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut nonce)?;
    let ciphertext = key
        .cipher()
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: associated_data,
            },
        )
        .map_err(|_| CryptoError::TooLong)?;
    let mut envelope = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
    envelope.push(ENVELOPE_VERSION);
    envelope.extend_from_slice(&nonce);
    envelope.extend_from_slice(&ciphertext);
    Ok(envelope)
}

/// Decrypts an envelope written by [`seal`]. The plaintext is wiped when dropped.
pub fn open(
    key: &DataKey,
    envelope: &[u8],
    associated_data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let Some((&version, rest)) = envelope.split_first() else {
        return Err(CryptoError::Truncated { len: 0 });
    };
    if version != ENVELOPE_VERSION {
        return Err(CryptoError::UnsupportedVersion(version));
    }
    if envelope.len() < MIN_ENVELOPE_LEN {
        return Err(CryptoError::Truncated {
            len: envelope.len(),
        });
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    key.cipher()
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: associated_data,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Tampered)
}

/// The nonce of a well-formed envelope, e.g. to check that a rotation used a new one.
pub fn envelope_nonce(envelope: &[u8]) -> Option<&[u8]> {
    envelope.get(1..1 + NONCE_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AAD: &[u8] = b"AC0123456789abcdef0123456789abcdef";

    fn key() -> DataKey {
        DataKey::generate().unwrap()
    }

    #[test]
    fn round_trip() {
        let k = key();
        let envelope = seal(&k, b"f00dfacecafebeef", AAD).unwrap();
        assert_eq!(envelope[0], ENVELOPE_VERSION);
        assert_eq!(envelope.len(), MIN_ENVELOPE_LEN + 16);
        assert_eq!(
            open(&k, &envelope, AAD).unwrap().as_slice(),
            b"f00dfacecafebeef"
        );
    }

    #[test]
    fn empty_plaintext_round_trips() {
        let k = key();
        let envelope = seal(&k, b"", AAD).unwrap();
        assert_eq!(envelope.len(), MIN_ENVELOPE_LEN);
        assert!(open(&k, &envelope, AAD).unwrap().is_empty());
    }

    #[test]
    fn tampered_ciphertext_byte_is_refused() {
        let k = key();
        let mut envelope = seal(&k, b"secret-token", AAD).unwrap();
        let last = envelope.len() - TAG_LEN - 1;
        envelope[last] ^= 0x01;
        assert_eq!(open(&k, &envelope, AAD), Err(CryptoError::Tampered));
        let mut envelope = seal(&k, b"secret-token", AAD).unwrap();
        let tag_byte = envelope.len() - 1;
        envelope[tag_byte] ^= 0x80;
        assert_eq!(open(&k, &envelope, AAD), Err(CryptoError::Tampered));
    }

    #[test]
    fn tampered_nonce_is_refused() {
        let k = key();
        let mut envelope = seal(&k, b"secret-token", AAD).unwrap();
        envelope[1] ^= 0x01;
        assert_eq!(open(&k, &envelope, AAD), Err(CryptoError::Tampered));
    }

    #[test]
    fn wrong_version_is_refused_before_decrypting() {
        let k = key();
        let mut envelope = seal(&k, b"secret-token", AAD).unwrap();
        envelope[0] = 2;
        assert_eq!(
            open(&k, &envelope, AAD),
            Err(CryptoError::UnsupportedVersion(2))
        );
        envelope[0] = 0;
        assert_eq!(
            open(&k, &envelope, AAD),
            Err(CryptoError::UnsupportedVersion(0))
        );
    }

    #[test]
    fn truncated_envelopes_are_refused() {
        let k = key();
        let envelope = seal(&k, b"secret-token", AAD).unwrap();
        assert_eq!(open(&k, &[], AAD), Err(CryptoError::Truncated { len: 0 }));
        assert_eq!(
            open(&k, &envelope[..MIN_ENVELOPE_LEN - 1], AAD),
            Err(CryptoError::Truncated {
                len: MIN_ENVELOPE_LEN - 1
            })
        );
        // Long enough to parse, but cut inside the ciphertext: the tag no longer matches.
        assert_eq!(
            open(&k, &envelope[..envelope.len() - 1], AAD),
            Err(CryptoError::Tampered)
        );
    }

    #[test]
    fn wrong_key_is_refused() {
        let envelope = seal(&key(), b"secret-token", AAD).unwrap();
        assert_eq!(open(&key(), &envelope, AAD), Err(CryptoError::Tampered));
    }

    #[test]
    fn wrong_associated_data_is_refused() {
        let k = key();
        let envelope = seal(&k, b"secret-token", AAD).unwrap();
        assert_eq!(
            open(&k, &envelope, b"AC99999999999999999999999999999999"),
            Err(CryptoError::Tampered)
        );
        assert_eq!(open(&k, &envelope, b""), Err(CryptoError::Tampered));
    }

    #[test]
    fn two_seals_of_the_same_secret_differ() {
        let k = key();
        let a = seal(&k, b"secret-token", AAD).unwrap();
        let b = seal(&k, b"secret-token", AAD).unwrap();
        assert_ne!(a, b);
        assert_ne!(envelope_nonce(&a), envelope_nonce(&b));
        assert_eq!(open(&k, &a, AAD).unwrap(), open(&k, &b, AAD).unwrap());
    }

    #[test]
    fn key_hex_round_trips_and_rejects_garbage() {
        let k = key();
        let hex = k.to_hex();
        assert_eq!(hex.len(), 64);
        let again = DataKey::from_hex(&format!("{}\n", hex.as_str())).unwrap();
        let envelope = seal(&k, b"x", AAD).unwrap();
        assert_eq!(open(&again, &envelope, AAD).unwrap().as_slice(), b"x");
        assert!(matches!(
            DataKey::from_hex("abcd"),
            Err(CryptoError::InvalidKey { .. })
        ));
        assert!(matches!(
            DataKey::from_hex(&"zz".repeat(32)),
            Err(CryptoError::InvalidKey { .. })
        ));
        let upper = DataKey::from_hex(&hex.to_uppercase()).unwrap();
        assert_eq!(upper.to_hex().as_str(), hex.as_str());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let k = DataKey::from_bytes([0xab; KEY_LEN]);
        let shown = format!("{k:?}");
        assert_eq!(shown, "DataKey(<redacted>)");
        assert!(!shown.contains("ab"));
    }
}
