//! What a simulator instance pretends to be: its account, credentials, numbers and seed.
//!
//! The defaults describe a fixed test account so that `twilio-sim --listen 127.0.0.1:0` works with
//! no other flag; they are documented in `--help` and in [`SimConfig::default`].

use std::net::SocketAddr;

use crate::error::SimError;
use crate::ids::{is_e164, is_sid};

pub const DEFAULT_ACCOUNT_SID: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const DEFAULT_AUTH_TOKEN: &str = "sim-auth-token";
/// 555-0100 to 555-0199 are reserved for fiction, so the default can never text a real person.
pub const DEFAULT_NUMBER: &str = "+15555550100";

/// An API key (`SK…`) and its secret; keys authenticate like the account token except that they
/// cannot fetch the Account resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub sid: String,
    pub secret: String,
}

impl std::str::FromStr for ApiKey {
    type Err = SimError;

    /// Parses `SK…:secret`.
    fn from_str(value: &str) -> Result<Self, SimError> {
        let (sid, secret) = value.split_once(':').ok_or_else(|| {
            SimError::Config(format!("API key {value:?} must be written SK…:secret"))
        })?;
        if !is_sid("SK", sid) || secret.is_empty() {
            return Err(SimError::Config(format!(
                "API key {sid:?} must be SK followed by 32 hex digits, then ':' and a secret"
            )));
        }
        Ok(ApiKey {
            sid: sid.to_string(),
            secret: secret.to_string(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountType {
    #[default]
    Full,
    Trial,
}

impl AccountType {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Full => "Full",
            AccountType::Trial => "Trial",
        }
    }
}

/// The Account's `status`. A suspended or closed account still answers reads (its history stays
/// readable, as with Twilio) but refuses to send; a closed account has released its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountStatus {
    #[default]
    Active,
    Suspended,
    Closed,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::Closed => "closed",
        }
    }

    pub fn is_active(self) -> bool {
        self == AccountStatus::Active
    }
}

impl std::str::FromStr for AccountStatus {
    type Err = SimError;

    fn from_str(value: &str) -> Result<Self, SimError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "active" => Ok(AccountStatus::Active),
            "suspended" => Ok(AccountStatus::Suspended),
            "closed" => Ok(AccountStatus::Closed),
            _ => Err(SimError::Config(format!(
                "account status {value:?} must be active, suspended or closed"
            ))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where to listen; port 0 picks a free port (read it back from `SimHandle::base_url`).
    pub listen: SocketAddr,
    pub account_sid: String,
    pub auth_token: String,
    pub friendly_name: String,
    pub account_type: AccountType,
    pub account_status: AccountStatus,
    /// The account's phone numbers in E.164; sends must come from one of them.
    pub numbers: Vec<String>,
    /// Verified caller IDs: the only numbers a Trial account may text (others get 21608).
    pub verified_numbers: Vec<String>,
    pub api_keys: Vec<ApiKey>,
    /// Messaging Service SIDs (`MG…`) the account owns; each sends from the first number.
    pub messaging_services: Vec<String>,
    /// Seeds SIDs and fault probabilities so that a run can be replayed; `None` uses entropy.
    pub seed: Option<u64>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            account_sid: DEFAULT_ACCOUNT_SID.to_string(),
            auth_token: DEFAULT_AUTH_TOKEN.to_string(),
            friendly_name: "Clinic Desk simulator".to_string(),
            account_type: AccountType::Full,
            account_status: AccountStatus::Active,
            numbers: vec![DEFAULT_NUMBER.to_string()],
            verified_numbers: Vec::new(),
            api_keys: Vec::new(),
            messaging_services: Vec::new(),
            seed: None,
        }
    }
}

impl SimConfig {
    pub fn validate(&self) -> Result<(), SimError> {
        if !is_sid("AC", &self.account_sid) {
            return Err(SimError::Config(format!(
                "account SID {:?} must be AC followed by 32 hex digits",
                self.account_sid
            )));
        }
        if self.auth_token.is_empty() {
            return Err(SimError::Config("the auth token cannot be empty".into()));
        }
        if self.numbers.is_empty() {
            return Err(SimError::Config(
                "the account needs at least one phone number".into(),
            ));
        }
        if let Some(bad) = self.numbers.iter().find(|n| !is_e164(n)) {
            return Err(SimError::Config(format!(
                "phone number {bad:?} is not in E.164 form (+15555550100)"
            )));
        }
        if let Some(bad) = self.verified_numbers.iter().find(|n| !is_e164(n)) {
            return Err(SimError::Config(format!(
                "verified number {bad:?} is not in E.164 form (+15555550100)"
            )));
        }
        if let Some(bad) = self.messaging_services.iter().find(|s| !is_sid("MG", s)) {
            return Err(SimError::Config(format!(
                "messaging service {bad:?} must be MG followed by 32 hex digits"
            )));
        }
        Ok(())
    }

    pub fn owns_number(&self, number: &str) -> bool {
        self.numbers.iter().any(|n| n == number)
    }

    /// The numbers the account holds now: none once it is closed.
    pub fn active_numbers(&self) -> &[String] {
        match self.account_status {
            AccountStatus::Closed => &[],
            _ => &self.numbers,
        }
    }

    /// Whether a Trial account may text `to` (a Full account may text anyone).
    pub fn may_text(&self, to: &str) -> bool {
        self.account_type == AccountType::Full || self.verified_numbers.iter().any(|n| n == to)
    }

    /// The Messaging Service with this SID, as the account spells it, if it is ours.
    pub fn messaging_service(&self, service_sid: &str) -> Option<&str> {
        self.messaging_services
            .iter()
            .find(|s| s.eq_ignore_ascii_case(service_sid))
            .map(String::as_str)
    }

    /// The number a Messaging Service sends from, if the service is ours.
    pub fn service_number(&self, service_sid: &str) -> Option<&str> {
        self.messaging_services
            .iter()
            .any(|s| s.eq_ignore_ascii_case(service_sid))
            .then(|| self.numbers.first().map(String::as_str))
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        SimConfig::default().validate().unwrap();
    }

    #[test]
    fn rejects_bad_shapes() {
        let bad_sid = SimConfig {
            account_sid: "AC123".into(),
            ..SimConfig::default()
        };
        assert!(bad_sid.validate().is_err());
        let bad_number = SimConfig {
            numbers: vec!["555".into()],
            ..SimConfig::default()
        };
        assert!(bad_number.validate().is_err());
        assert!("SKnope:secret".parse::<ApiKey>().is_err());
        assert!("SK0123456789abcdef0123456789abcdef"
            .parse::<ApiKey>()
            .is_err());
        let key: ApiKey = "SK0123456789abcdef0123456789abcdef:s3cret".parse().unwrap();
        assert_eq!(key.secret, "s3cret");
        let bad_verified = SimConfig {
            verified_numbers: vec!["4155550134".into()],
            ..SimConfig::default()
        };
        assert!(bad_verified.validate().is_err());
    }

    #[test]
    fn account_status_parses_and_trial_limits_recipients() {
        assert_eq!(
            " Suspended".parse::<AccountStatus>().unwrap(),
            AccountStatus::Suspended
        );
        assert!("frozen".parse::<AccountStatus>().is_err());
        let trial = SimConfig {
            account_type: AccountType::Trial,
            verified_numbers: vec!["+14155550134".into()],
            ..SimConfig::default()
        };
        assert!(trial.may_text("+14155550134"));
        assert!(!trial.may_text("+14155550135"));
        assert!(SimConfig::default().may_text("+14155550135"));
        let closed = SimConfig {
            account_status: AccountStatus::Closed,
            ..SimConfig::default()
        };
        assert!(closed.active_numbers().is_empty());
    }
}
