//! Advanced Opt-Out as Twilio runs it on long codes: keyword recognition and who is opted out of
//! which clinic number.
//!
//! Only a message that is the keyword alone counts; "please stop texting me" is left to the app
//! (the FCC revocation rule makes it a staff decision, not a carrier one).

use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    OptOut,
    OptIn,
    Help,
}

const OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
];
const OPT_IN: &[&str] = &["START", "YES", "UNSTOP"];
const HELP: &[&str] = &["HELP", "INFO"];

/// Twilio's default reply to HELP/INFO on a long code.
pub const HELP_REPLY: &str = "Reply STOP to unsubscribe. Msg&Data Rates May Apply.";

fn is_ignorable(c: char) -> bool {
    c.is_whitespace()
        || c.is_ascii_punctuation()
        || matches!(
            c,
            '¡' | '¿' | '…' | '“' | '”' | '‘' | '’' | '。' | '！' | '？'
        )
}

pub fn classify(body: &str) -> Option<Keyword> {
    let word = body.trim_matches(is_ignorable).to_ascii_uppercase();
    if OPT_OUT.contains(&word.as_str()) {
        Some(Keyword::OptOut)
    } else if OPT_IN.contains(&word.as_str()) {
        Some(Keyword::OptIn)
    } else if HELP.contains(&word.as_str()) {
        Some(Keyword::Help)
    } else {
        None
    }
}

/// Opt-outs are per (clinic number, patient number): stopping one clinic line does not silence
/// another.
#[derive(Debug, Default)]
pub struct OptOuts {
    pairs: HashSet<(String, String)>,
}

impl OptOuts {
    pub fn opt_out(&mut self, clinic: &str, patient: &str) {
        self.pairs.insert((clinic.to_string(), patient.to_string()));
    }

    pub fn opt_in(&mut self, clinic: &str, patient: &str) {
        self.pairs
            .remove(&(clinic.to_string(), patient.to_string()));
    }

    pub fn is_opted_out(&self, clinic: &str, patient: &str) -> bool {
        self.pairs
            .contains(&(clinic.to_string(), patient.to_string()))
    }

    pub fn clear(&mut self) {
        self.pairs.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_alone_case_and_punctuation_insensitive() {
        assert_eq!(classify("stop"), Some(Keyword::OptOut));
        assert_eq!(classify("  Cancel. "), Some(Keyword::OptOut));
        assert_eq!(classify("STOPALL!!"), Some(Keyword::OptOut));
        assert_eq!(classify("\"unstop\""), Some(Keyword::OptIn));
        assert_eq!(classify("yes"), Some(Keyword::OptIn));
        assert_eq!(classify("Help?"), Some(Keyword::Help));
        assert_eq!(classify("please stop texting me"), None);
        assert_eq!(classify("stop it"), None);
        assert_eq!(classify(""), None);
    }

    #[test]
    fn opt_out_is_per_clinic_number() {
        let mut optouts = OptOuts::default();
        optouts.opt_out("+15555550100", "+15551230000");
        assert!(optouts.is_opted_out("+15555550100", "+15551230000"));
        assert!(!optouts.is_opted_out("+15555550101", "+15551230000"));
        optouts.opt_in("+15555550100", "+15551230000");
        assert!(!optouts.is_opted_out("+15555550100", "+15551230000"));
    }
}
