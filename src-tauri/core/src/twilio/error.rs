//! What can go wrong talking to Twilio, sorted by what the outbox and the poller must do about
//! it: retry, wait, stop and ask the admin, record an opt-out, or give up on one text.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwilioError {
    /// 401 / 20003: the token or key is wrong or revoked. Nothing will work until an admin fixes it.
    #[error(
        "Twilio refused the credentials (error 20003); an admin must re-enter them in Settings"
    )]
    Auth,

    /// 429 / 20429: not processed, safe to retry after the given pause.
    #[error("Twilio is rate limiting requests; retrying shortly")]
    RateLimited { retry_after: Option<Duration> },

    /// The request never reached Twilio (DNS, refused connection, no network).
    #[error("cannot reach Twilio ({detail}); texts wait in the outbox until the network is back")]
    Offline { detail: String },

    /// The request may have reached Twilio but no answer came back (timeout, reset). For a
    /// create this means the text may exist: reconcile before any retry.
    #[error("no answer from Twilio ({detail})")]
    NoResponse { detail: String },

    /// 5xx: Twilio's side failed; retry with backoff.
    #[error("Twilio had a server error (HTTP {status}); retrying with backoff")]
    Server { status: u16 },

    /// A response we could not read (truncated or malformed JSON, wrong shape).
    #[error("Twilio sent a response that could not be read ({detail})")]
    Malformed { detail: String },

    #[error("the number is not a valid mobile number (Twilio error 21211)")]
    InvalidNumber,

    #[error("the patient has opted out by replying STOP (Twilio error 21610); they must text START to receive texts again")]
    OptedOut,

    #[error("the number is a landline or cannot receive texts (Twilio error 21614)")]
    NotMobile,

    #[error("the number cannot be reached by SMS (Twilio error 21612)")]
    NotReachable,

    #[error("texts to this country are not enabled on the Twilio account (error 21408); an admin can enable it in Twilio's geo permissions")]
    RegionNotEnabled,

    #[error("not found on Twilio (error 20404)")]
    NotFound,

    /// Any other refusal, with Twilio's own code and words.
    #[error("Twilio refused the request (error {code}: {message})")]
    Rejected { code: i64, message: String },
}

impl TwilioError {
    /// Worth trying again later with the same request.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            TwilioError::RateLimited { .. }
                | TwilioError::Offline { .. }
                | TwilioError::NoResponse { .. }
                | TwilioError::Server { .. }
                | TwilioError::Malformed { .. }
        )
    }

    /// Twilio's numeric error code, where one applies.
    pub fn code(&self) -> Option<i64> {
        Some(match self {
            TwilioError::Auth => 20003,
            TwilioError::RateLimited { .. } => 20429,
            TwilioError::InvalidNumber => 21211,
            TwilioError::OptedOut => 21610,
            TwilioError::NotMobile => 21614,
            TwilioError::NotReachable => 21612,
            TwilioError::RegionNotEnabled => 21408,
            TwilioError::NotFound => 20404,
            TwilioError::Rejected { code, .. } => *code,
            _ => return None,
        })
    }

    pub(crate) fn from_code(code: i64, message: String) -> Self {
        match code {
            20003 => TwilioError::Auth,
            20404 => TwilioError::NotFound,
            20429 => TwilioError::RateLimited { retry_after: None },
            21211 => TwilioError::InvalidNumber,
            21408 => TwilioError::RegionNotEnabled,
            21610 => TwilioError::OptedOut,
            21612 => TwilioError::NotReachable,
            21614 => TwilioError::NotMobile,
            _ => TwilioError::Rejected { code, message },
        }
    }
}

/// Plain words for a delivery failure code shown on a text in the chat.
pub fn describe_error_code(code: i64) -> &'static str {
    match code {
        21211 => "invalid phone number",
        21408 => "texts to this country are not enabled",
        21610 => "the patient opted out (replied STOP)",
        21612 => "the number cannot receive texts",
        21614 => "not a mobile number",
        30001 => "Twilio's queue overflowed; try again",
        30002 => "the Twilio account is suspended",
        30003 => "the phone is unreachable (off or out of coverage)",
        30004 => "the message was blocked by the recipient or carrier",
        30005 => "unknown number or no longer in service",
        30006 => "landline or unreachable carrier",
        30007 => "filtered by the carrier as spam",
        30008 => "unknown delivery error",
        30022 => "the carrier's sending rate for the clinic number was exceeded; try again later",
        30023 => "the clinic number reached its daily message limit; try again later",
        30027 => "T-Mobile's daily limit for the clinic number was reached; try again later",
        30410 => "the carrier timed out; try again",
        _ => "delivery failed",
    }
}

/// Why sending a failed text again cannot help, in plain words; `None` when a retry may work.
///
/// Only failures of the moment are worth a second attempt: a full queue (30001), a phone that
/// was off or out of coverage (30003), a carrier that gave no reason (30008, or no code at all),
/// a lost segment (30009), a congested network (30017), the A2P 10DLC throughput and daily caps
/// (30022, 30023, 30027: a later try passes) or a carrier that timed out (30410). A number that
/// is wrong, unknown, a landline, blocked or filtered fails the same way every time. An opt-out
/// (21610) is not judged by the code: the caller asks the number's current opt-out state, since
/// a patient who texted START may be texted again.
pub fn retry_refusal(code: Option<i64>) -> Option<&'static str> {
    let code = code?;
    Some(match code {
        30001 | 30003 | 30008 | 30009 | 30017 | 30022 | 30023 | 30027 | 30410 | 21610 => {
            return None
        }
        21211 => "the number is not a valid phone number; correct it on the patient's record",
        21408 => "texts to this country are not enabled; an admin can enable it in Twilio's geo permissions",
        21612 => "the number cannot receive texts; call the patient instead",
        21614 | 30006 => "the number is a landline or its carrier cannot take texts; call the patient instead",
        30002 => "the Twilio account is suspended; an admin must contact Twilio",
        30004 => "the patient or their carrier blocks texts from the clinic; sending again would be blocked too",
        30005 => "the number is unknown or no longer in service; check the number with the patient",
        30007 => "the carrier filtered it as spam; the same words would be filtered again, so reword it",
        _ => "Twilio refused it for a reason that sending again will not fix",
    })
}
