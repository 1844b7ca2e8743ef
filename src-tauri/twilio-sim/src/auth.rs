//! HTTP Basic authentication as Twilio checks it: the account SID with its auth token, or an API
//! key SID with its secret, and the account SID in the path must be the authenticated account.
//!
//! Every failure is the same 401 with code 20003, as Twilio gives no hint about which part was
//! wrong.

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::config::SimConfig;
use crate::error::TwilioError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// The account SID and auth token: may do everything.
    Account,
    /// A standard API key: may not fetch the Account resource.
    ApiKey,
}

fn credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// Checks the request's credentials against the account named in the path.
pub fn authenticate(
    config: &SimConfig,
    headers: &HeaderMap,
    path_account: &str,
) -> Result<Principal, TwilioError> {
    let (user, password) = credentials(headers).ok_or_else(TwilioError::authenticate)?;
    let principal = if user == config.account_sid && password == config.auth_token {
        Principal::Account
    } else if config
        .api_keys
        .iter()
        .any(|key| key.sid == user && key.secret == password)
    {
        Principal::ApiKey
    } else {
        return Err(TwilioError::authenticate());
    };
    if path_account != config.account_sid {
        return Err(TwilioError::authenticate());
    }
    Ok(principal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ApiKey;
    use axum::http::HeaderValue;

    fn basic(user: &str, password: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = format!("Basic {}", STANDARD.encode(format!("{user}:{password}")));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&value).unwrap(),
        );
        headers
    }

    #[test]
    fn token_key_and_failures() {
        let key: ApiKey = "SK0123456789abcdef0123456789abcdef:secret".parse().unwrap();
        let config = SimConfig {
            api_keys: vec![key.clone()],
            ..SimConfig::default()
        };
        let sid = config.account_sid.clone();
        let token = config.auth_token.clone();
        assert_eq!(
            authenticate(&config, &basic(&sid, &token), &sid),
            Ok(Principal::Account)
        );
        assert_eq!(
            authenticate(&config, &basic(&key.sid, "secret"), &sid),
            Ok(Principal::ApiKey)
        );
        let wrong = TwilioError::authenticate();
        assert_eq!(
            authenticate(&config, &basic(&sid, "nope"), &sid),
            Err(wrong.clone())
        );
        assert_eq!(
            authenticate(
                &config,
                &basic(&sid, &token),
                "ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
            ),
            Err(wrong.clone())
        );
        assert_eq!(
            authenticate(&config, &HeaderMap::new(), &sid),
            Err(wrong.clone())
        );
        let mut garbage = HeaderMap::new();
        garbage.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic %%%"));
        assert_eq!(authenticate(&config, &garbage, &sid), Err(wrong));
    }
}
