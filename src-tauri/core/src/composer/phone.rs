//! Phone numbers: whatever staff type or a CSV holds, normalised to E.164 with the clinic's
//! default region, using libphonenumber's metadata (the `phonenumber` crate) rather than a regex.

use std::str::FromStr;

use phonenumber::country;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("enter a phone number")]
    Empty,
    #[error("\"{input}\" is not a phone number; type it like (415) 555-0134 or +44 20 7946 0958")]
    Unparseable { input: String },
    #[error("\"{input}\" is not a valid phone number for {region}; check the digits, or add the country code (e.g. +44) for a number abroad")]
    Invalid { input: String, region: String },
    #[error("\"{region}\" is not a known region code; use a two-letter country code such as US, CA or GB")]
    UnknownRegion { region: String },
}

/// Parses a region such as "US" into the phone library's identifier.
pub fn region(code: &str) -> Result<country::Id, PhoneError> {
    country::Id::from_str(code.trim().to_ascii_uppercase().as_str()).map_err(|_| {
        PhoneError::UnknownRegion {
            region: code.to_string(),
        }
    })
}

/// Returns the E.164 form of `input`, interpreting national numbers in `default_region`.
pub fn normalize(input: &str, default_region: &str) -> Result<String, PhoneError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Empty);
    }
    let region_id = region(default_region)?;
    let number =
        phonenumber::parse(Some(region_id), trimmed).map_err(|_| PhoneError::Unparseable {
            input: trimmed.to_string(),
        })?;
    if !phonenumber::is_valid(&number) {
        return Err(PhoneError::Invalid {
            input: trimmed.to_string(),
            region: default_region.to_ascii_uppercase(),
        });
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_formats_normalise_to_e164() {
        for input in [
            "(415) 555-0134",
            "415.555.0134",
            "415 555 0134",
            "+1 415-555-0134",
            "1-415-555-0134",
        ] {
            assert_eq!(normalize(input, "US").unwrap(), "+14155550134", "{input}");
        }
        assert_eq!(normalize("020 7946 0958", "GB").unwrap(), "+442079460958");
        assert_eq!(
            normalize("+44 20 7946 0958", "US").unwrap(),
            "+442079460958"
        );
    }

    #[test]
    fn bad_numbers_get_clear_errors() {
        assert_eq!(normalize("  ", "US"), Err(PhoneError::Empty));
        assert!(matches!(
            normalize("12", "US"),
            Err(PhoneError::Invalid { .. } | PhoneError::Unparseable { .. })
        ));
        assert!(matches!(
            normalize("call me", "US"),
            Err(PhoneError::Unparseable { .. })
        ));
        assert!(matches!(
            normalize("(415) 555-01345", "US"),
            Err(PhoneError::Invalid { .. } | PhoneError::Unparseable { .. })
        ));
        assert!(matches!(
            normalize("4155550134", "ZZ"),
            Err(PhoneError::UnknownRegion { .. })
        ));
        let message = normalize("12", "US").unwrap_err().to_string();
        assert!(message.contains("12"), "{message}");
    }
}
