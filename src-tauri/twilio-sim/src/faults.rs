//! Injected misbehaviour: rules set through `/_sim/faults` that make Twilio API requests fail the
//! ways real networks and Twilio do (429, 500, latency, a reset connection, a response lost after
//! the work was done).
//!
//! This module only decides which fault, if any, a request gets; `server` carries it out, because
//! resetting a connection has to happen below axum, at the connection task.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::Rng;
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::error::SimError;
use crate::state::make_rng;

/// What happens to a request a rule fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultAction {
    #[serde(rename = "429")]
    TooManyRequests,
    #[serde(rename = "500")]
    ServerError,
    /// Close the connection without an answer and without processing the request.
    #[serde(rename = "reset")]
    Reset,
    /// Sleep, then process normally.
    #[serde(rename = "delay")]
    Delay,
    /// Process the request, then close the connection without sending the response.
    #[serde(rename = "drop_response_after_commit")]
    DropResponseAfterCommit,
}

/// The control API's shape for one rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRuleSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub action: FaultAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

#[derive(Debug)]
struct FaultRule {
    spec: FaultRuleSpec,
    path: Option<Regex>,
    remaining: Option<u64>,
}

impl FaultRule {
    fn compile(spec: FaultRuleSpec) -> Result<Self, SimError> {
        let path = spec
            .path
            .as_deref()
            .map(Regex::new)
            .transpose()
            .map_err(|e| SimError::BadControlRequest(format!("fault path is not a regex: {e}")))?;
        if let Some(p) = spec.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err(SimError::BadControlRequest(format!(
                    "fault probability {p} must be between 0.0 and 1.0"
                )));
            }
        }
        Ok(FaultRule {
            remaining: spec.count,
            path,
            spec,
        })
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .spec
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        let path_ok = self.path.as_ref().is_none_or(|re| re.is_match(path));
        method_ok && path_ok && self.remaining != Some(0)
    }
}

/// A fault chosen for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    TooManyRequests { retry_after: Option<u64> },
    ServerError,
    Reset,
    Delay(Duration),
    DropResponseAfterCommit,
}

#[derive(Debug)]
struct Rules {
    rules: Vec<FaultRule>,
    rng: StdRng,
}

#[derive(Debug)]
pub struct FaultTable {
    inner: Mutex<Rules>,
}

impl FaultTable {
    pub fn new(seed: Option<u64>) -> Self {
        FaultTable {
            // A distinct stream from the SID generator, so adding a fault does not change SIDs.
            inner: Mutex::new(Rules {
                rules: Vec::new(),
                rng: make_rng(seed.map(|s| s ^ 0x0fa1_7500_0000_0000)),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Rules> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Replaces the rule set; nothing changes if any rule is invalid.
    pub fn set(&self, specs: Vec<FaultRuleSpec>) -> Result<(), SimError> {
        let compiled = specs
            .into_iter()
            .map(FaultRule::compile)
            .collect::<Result<Vec<_>, _>>()?;
        self.lock().rules = compiled;
        Ok(())
    }

    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// The rules with their remaining counts, for `GET /_sim/faults`.
    pub fn list(&self) -> Vec<FaultRuleSpec> {
        self.lock()
            .rules
            .iter()
            .map(|r| FaultRuleSpec {
                count: r.remaining,
                ..r.spec.clone()
            })
            .collect()
    }

    /// Picks the fault for a request: the first live rule that matches and wins its dice roll.
    /// The control API itself is never faulted, so tests can always switch faults off.
    pub fn decide(&self, method: &str, path: &str) -> Option<Fault> {
        if path.starts_with("/_sim") {
            return None;
        }
        let mut guard = self.lock();
        let Rules { rules, rng } = &mut *guard;
        for rule in rules.iter_mut() {
            if !rule.matches(method, path) {
                continue;
            }
            let probability = rule.spec.probability.unwrap_or(1.0);
            if probability < 1.0 && rng.random::<f64>() >= probability {
                continue;
            }
            if let Some(remaining) = rule.remaining.as_mut() {
                *remaining -= 1;
            }
            return Some(match rule.spec.action {
                FaultAction::TooManyRequests => Fault::TooManyRequests {
                    retry_after: rule.spec.retry_after,
                },
                FaultAction::ServerError => Fault::ServerError,
                FaultAction::Reset => Fault::Reset,
                FaultAction::Delay => {
                    Fault::Delay(Duration::from_millis(rule.spec.delay_ms.unwrap_or(1_000)))
                }
                FaultAction::DropResponseAfterCommit => Fault::DropResponseAfterCommit,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> FaultRuleSpec {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn count_spends_a_rule() {
        let table = FaultTable::new(Some(1));
        table
            .set(vec![spec(
                r#"{"method":"POST","path":"Messages","action":"500","count":2}"#,
            )])
            .unwrap();
        let path = "/2010-04-01/Accounts/AC1/Messages.json";
        assert_eq!(table.decide("GET", path), None);
        assert_eq!(table.decide("post", path), Some(Fault::ServerError));
        assert_eq!(table.decide("POST", path), Some(Fault::ServerError));
        assert_eq!(table.decide("POST", path), None);
    }

    #[test]
    fn control_api_is_never_faulted() {
        let table = FaultTable::new(Some(1));
        table.set(vec![spec(r#"{"action":"reset"}"#)]).unwrap();
        assert_eq!(table.decide("GET", "/_sim/messages"), None);
        assert_eq!(table.decide("GET", "/2010-04-01/x"), Some(Fault::Reset));
    }

    #[test]
    fn probability_is_seeded() {
        let run = || {
            let table = FaultTable::new(Some(42));
            table
                .set(vec![spec(
                    r#"{"action":"429","probability":0.5,"retry_after":3}"#,
                )])
                .unwrap();
            (0..64)
                .map(|_| table.decide("GET", "/x").is_some())
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        assert!(first.iter().any(|f| *f) && first.iter().any(|f| !*f));
    }

    #[test]
    fn invalid_rules_are_refused() {
        let table = FaultTable::new(None);
        assert!(table
            .set(vec![spec(r#"{"action":"500","path":"("}"#)])
            .is_err());
        assert!(table
            .set(vec![spec(r#"{"action":"500","probability":1.5}"#)])
            .is_err());
        assert!(serde_json::from_str::<FaultRuleSpec>(r#"{"action":"explode"}"#).is_err());
    }
}
