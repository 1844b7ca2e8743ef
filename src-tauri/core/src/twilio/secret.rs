//! A secret (auth token, API key secret) as a type: it prints as `<redacted>`, cannot be
//! serialized, and is wiped from memory when dropped, so it cannot leak through a log line, a
//! Debug dump or an IPC reply by accident.

use std::fmt;

pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The plain value, for the one place that must send it (HTTP Basic auth) or encrypt it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the UI may show: the last four characters behind a mask.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
        format!("••••{tail}")
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Clone for Secret {
    fn clone(&self) -> Self {
        Secret(self.0.clone())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_mask_never_show_the_secret() {
        let s = Secret::new("f00dfacecafebeef1234");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(s.masked(), "••••1234");
        assert_eq!(Secret::new("ab").masked(), "••••ab");
    }
}
