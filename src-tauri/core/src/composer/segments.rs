//! SMS segment counting, as carriers and Twilio bill it.
//!
//! A text is GSM-7 when every character is in the GSM 03.38 basic table or its extension table
//! (extension characters take two septets); otherwise the whole text is UCS-2. A single-segment
//! text holds 160 septets (GSM-7) or 70 UTF-16 units (UCS-2); a concatenated one loses room to the
//! user-data header: 153 septets or 67 units per segment. A two-unit character (a GSM extension
//! character, a UTF-16 surrogate pair) is never split across segments, so segments are packed
//! greedily rather than computed by division.

use serde::Serialize;
use ts_rs::TS;

/// The characters of the GSM 03.38 basic table that one septet encodes.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table: each costs an escape septet plus its own.
const GSM7_EXTENSION: &str = "\u{000C}^{}\\[]~|€";

pub const GSM7_SINGLE: usize = 160;
pub const GSM7_MULTI: usize = 153;
pub const UCS2_SINGLE: usize = 70;
pub const UCS2_MULTI: usize = 67;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub enum Encoding {
    #[serde(rename = "GSM-7")]
    Gsm7,
    #[serde(rename = "UCS-2")]
    Ucs2,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SegmentInfo {
    pub encoding: Encoding,
    /// Billed segments; 0 for an empty text.
    pub segments: u32,
    /// Code units used: septets for GSM-7, UTF-16 units for UCS-2.
    pub units: u32,
    /// Units left in the last segment before another one starts.
    pub units_left_in_segment: u32,
    /// Characters that forced UCS-2 (deduplicated, in order of appearance), so the composer can
    /// point at them.
    pub non_gsm_chars: Vec<String>,
}

fn gsm7_cost(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

pub fn is_gsm7(text: &str) -> bool {
    text.chars().all(|c| gsm7_cost(c).is_some())
}

/// Packs unit costs into segments of `multi` units, never splitting one character.
fn pack(costs: impl Iterator<Item = usize>, single: usize, multi: usize) -> (u32, u32, u32) {
    let costs: Vec<usize> = costs.collect();
    let total: usize = costs.iter().sum();
    if total == 0 {
        return (0, 0, single as u32);
    }
    if total <= single {
        return (1, total as u32, (single - total) as u32);
    }
    let mut segments = 1u32;
    let mut used = 0usize;
    for cost in costs {
        if used + cost > multi {
            segments += 1;
            used = 0;
        }
        used += cost;
    }
    (segments, total as u32, (multi - used) as u32)
}

pub fn count(text: &str) -> SegmentInfo {
    if is_gsm7(text) {
        let (segments, units, left) = pack(
            text.chars().map(|c| gsm7_cost(c).unwrap_or(1)),
            GSM7_SINGLE,
            GSM7_MULTI,
        );
        return SegmentInfo {
            encoding: Encoding::Gsm7,
            segments,
            units,
            units_left_in_segment: left,
            non_gsm_chars: Vec::new(),
        };
    }
    let (segments, units, left) = pack(text.chars().map(char::len_utf16), UCS2_SINGLE, UCS2_MULTI);
    let mut non_gsm_chars: Vec<String> = Vec::new();
    for c in text.chars().filter(|c| gsm7_cost(*c).is_none()) {
        let s = c.to_string();
        if !non_gsm_chars.contains(&s) {
            non_gsm_chars.push(s);
        }
    }
    SegmentInfo {
        encoding: Encoding::Ucs2,
        segments,
        units,
        units_left_in_segment: left,
        non_gsm_chars,
    }
}

/// Replaces look-alike characters with GSM-7 ones, as Twilio's SmartEncoded option does, so a
/// pasted curly quote does not triple the cost of a text.
pub fn smart_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' => {
                out.push('\'')
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
            | '\u{00BB}' => out.push('"'),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' => out.push('-'),
            '\u{2026}' => out.push_str("..."),
            '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
                out.push(' ')
            }
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            '\u{2022}' => out.push('*'),
            '\u{02C6}' => out.push('^'),
            '\u{02DC}' => out.push('~'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_text_has_no_segments() {
        let info = count("");
        assert_eq!(info.segments, 0);
        assert_eq!(info.encoding, Encoding::Gsm7);
    }

    #[test]
    fn gsm7_boundaries() {
        assert_eq!(count(&"a".repeat(160)).segments, 1);
        assert_eq!(count(&"a".repeat(161)).segments, 2);
        assert_eq!(count(&"a".repeat(306)).segments, 2);
        assert_eq!(count(&"a".repeat(307)).segments, 3);
        assert_eq!(count(&"a".repeat(160)).units_left_in_segment, 0);
    }

    #[test]
    fn extension_characters_count_twice() {
        let info = count(&"€".repeat(80));
        assert_eq!(info.encoding, Encoding::Gsm7);
        assert_eq!(info.units, 160);
        assert_eq!(info.segments, 1);
        assert_eq!(count(&format!("{}{}", "a".repeat(159), "[")).segments, 2);
    }

    #[test]
    fn extension_character_is_not_split_across_segments() {
        // 152 septets then a 2-septet character: it moves to segment two, leaving 153 free there.
        let text = format!("{}{}{}", "a".repeat(152), "{", "a".repeat(152));
        let info = count(&text);
        assert_eq!(info.units, 306);
        assert_eq!(info.segments, 3);
    }

    #[test]
    fn ucs2_boundaries() {
        assert_eq!(count(&"é".repeat(200)).encoding, Encoding::Gsm7);
        let ucs = "ж".repeat(70);
        assert_eq!(count(&ucs).encoding, Encoding::Ucs2);
        assert_eq!(count(&ucs).segments, 1);
        assert_eq!(count(&"ж".repeat(71)).segments, 2);
        assert_eq!(count(&"ж".repeat(134)).segments, 2);
        assert_eq!(count(&"ж".repeat(135)).segments, 3);
    }

    #[test]
    fn emoji_takes_two_units_and_forces_ucs2() {
        let info = count("See you soon 😀");
        assert_eq!(info.encoding, Encoding::Ucs2);
        assert_eq!(info.units, 15);
        assert_eq!(info.non_gsm_chars, vec!["😀".to_string()]);
        // 35 emoji = 70 units: one segment; 36 = 72 units: two segments of 67 (33 + 3 emoji).
        assert_eq!(count(&"😀".repeat(35)).segments, 1);
        assert_eq!(count(&"😀".repeat(36)).segments, 2);
        // A surrogate pair is never split: after 66 units the next pair does not fit in 67, so
        // it opens segment two (72 units, 2 segments, 6 units used in the second).
        let text = format!("{}{}", "ж".repeat(66), "😀".repeat(3));
        assert_eq!(count(&text).segments, 2);
        assert_eq!(count(&text).units_left_in_segment, 67 - 6);
    }

    #[test]
    fn smart_encoding_keeps_text_in_gsm7() {
        let pasted = "It\u{2019}s \u{201C}fine\u{201D} \u{2014} see you\u{2026}";
        assert!(!is_gsm7(pasted));
        let fixed = smart_encode(pasted);
        assert_eq!(fixed, "It's \"fine\" - see you...");
        assert!(is_gsm7(&fixed));
    }
}
