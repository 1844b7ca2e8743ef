//! Identifier shapes: Twilio SIDs (two-letter prefix + 32 hex digits) and E.164 phone numbers.
//!
//! SIDs come from the simulator's seeded RNG so that a run with `--seed` is reproducible; numbers
//! are only checked, never normalised, because Twilio echoes what it accepted.

use rand::Rng;

pub fn new_sid(prefix: &str, rng: &mut impl Rng) -> String {
    let value: u128 = rng.random();
    format!("{prefix}{value:032x}")
}

/// A SID derived from a name rather than the RNG, for resources that exist from start-up
/// (phone numbers) and must keep their SID across `/_sim/reset`.
pub fn stable_sid(prefix: &str, name: &str) -> String {
    // FNV-1a over two different offsets gives 128 well-mixed bits without another dependency.
    let fnv = |offset: u64| {
        name.bytes().fold(offset, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    format!(
        "{prefix}{:016x}{:016x}",
        fnv(0xcbf2_9ce4_8422_2325),
        fnv(0x6c62_272e_07bb_0142)
    )
}

pub fn is_sid(prefix: &str, value: &str) -> bool {
    value.len() == 34
        && value.starts_with(prefix)
        && value[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// E.164: a plus sign, a non-zero leading digit, at most 15 digits in all.
pub fn is_e164(value: &str) -> bool {
    let Some(digits) = value.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn sids_have_twilio_shape() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let sid = new_sid("SM", &mut rng);
        assert!(is_sid("SM", &sid), "{sid}");
        assert!(is_sid("PN", &stable_sid("PN", "+15555550100")));
        assert_ne!(stable_sid("PN", "+1"), stable_sid("PN", "+2"));
        assert!(!is_sid("SM", "SMxyz"));
        assert!(!is_sid("SM", "SMé0000000000000000000000000000000"));
    }

    #[test]
    fn e164() {
        assert!(is_e164("+15555550100"));
        assert!(!is_e164("5555550100"));
        assert!(!is_e164("+0555"));
        assert!(!is_e164("+1555abc0100"));
        assert!(!is_e164("+1234567890123456"));
        assert!(!is_e164(""));
    }
}
