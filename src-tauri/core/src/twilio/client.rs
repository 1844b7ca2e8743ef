//! The Twilio REST client: Messages create / fetch / list, Account fetch, IncomingPhoneNumbers,
//! and the Messaging API's Service fetch.
//!
//! The base URL is injected so tests, demo mode and benchmarks talk to the simulator. Every
//! failure is mapped to a `TwilioError` the outbox and poller act on; in particular a create
//! whose request may have been sent but got no answer is `NoResponse`, never a plain retryable
//! error, because retrying it blindly could text a patient twice.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

use super::error::TwilioError;
use super::secret::Secret;
use super::types::{
    Account, ErrorBody, IncomingNumberPage, MessagePage, MessagingService, TwilioMessage,
};

pub const TWILIO_API_BASE: &str = "https://api.twilio.com";
const API_VERSION: &str = "2010-04-01";

/// How the client proves who it is: the account's auth token, or an API key and its secret.
#[derive(Clone, Debug)]
pub enum Auth {
    Token(Secret),
    ApiKey { key_sid: String, secret: Secret },
}

#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// `https://api.twilio.com` in production, the simulator's URL elsewhere.
    pub api_base: String,
    pub account_sid: String,
    pub auth: Auth,
    pub timeout: Duration,
}

impl ClientConfig {
    pub fn new(api_base: impl Into<String>, account_sid: impl Into<String>, auth: Auth) -> Self {
        Self {
            api_base: api_base.into(),
            account_sid: account_sid.into(),
            auth,
            timeout: Duration::from_secs(15),
        }
    }
}

/// What a text to send is, in Twilio's terms.
#[derive(Clone, Debug)]
pub struct CreateMessage<'a> {
    pub to: &'a str,
    pub from: Option<&'a str>,
    pub messaging_service_sid: Option<&'a str>,
    pub body: &'a str,
}

/// Filters of the Message list. Twilio reads the DateSent filters at day granularity (GMT).
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub to: Option<String>,
    pub from: Option<String>,
    /// Messages sent on or after this day (`DateSent>`).
    pub sent_on_or_after: Option<chrono::NaiveDate>,
    pub page_size: u32,
}

#[derive(Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    config: std::sync::Arc<ClientConfig>,
}

impl std::fmt::Debug for TwilioClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioClient")
            .field("api_base", &self.config.api_base)
            .field("account_sid", &self.config.account_sid)
            .finish()
    }
}

impl TwilioClient {
    pub fn new(config: ClientConfig) -> Result<Self, TwilioError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("clinic-desk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TwilioError::Offline {
                detail: format!("cannot set up HTTPS: {e}"),
            })?;
        Ok(Self {
            http,
            config: std::sync::Arc::new(config),
        })
    }

    pub fn account_sid(&self) -> &str {
        &self.config.account_sid
    }

    fn url(&self, path_or_uri: &str) -> String {
        format!(
            "{}{}",
            self.config.api_base.trim_end_matches('/'),
            path_or_uri
        )
    }

    /// Where the Messaging API (v1) lives. Twilio serves it from messaging.twilio.com (with the
    /// same edge and region labels as the REST API's host); anything else, such as the simulator,
    /// serves both APIs on one address.
    fn messaging_url(&self, path: &str) -> String {
        let base = self.config.api_base.trim_end_matches('/');
        let messaging = reqwest::Url::parse(base).ok().and_then(|url| {
            let host = url.host_str()?;
            let rest = host.strip_prefix("api.")?;
            (rest == "twilio.com" || rest.ends_with(".twilio.com"))
                .then(|| format!("{}://messaging.{rest}", url.scheme()))
        });
        format!("{}{path}", messaging.as_deref().unwrap_or(base))
    }

    fn account_path(&self, rest: &str) -> String {
        format!("/{API_VERSION}/Accounts/{}{rest}", self.config.account_sid)
    }

    fn request(&self, method: Method, url: &str) -> RequestBuilder {
        let builder = self.http.request(method, url);
        match &self.config.auth {
            Auth::Token(token) => {
                builder.basic_auth(&self.config.account_sid, Some(token.expose()))
            }
            Auth::ApiKey { key_sid, secret } => builder.basic_auth(key_sid, Some(secret.expose())),
        }
    }

    pub async fn fetch_account(&self) -> Result<Account, TwilioError> {
        let url = self.url(&self.account_path(".json"));
        self.send_json(self.request(Method::GET, &url)).await
    }

    /// Whether `phone` is one of the account's own numbers.
    pub async fn owns_number(&self, phone: &str) -> Result<bool, TwilioError> {
        let url = self.url(&self.account_path("/IncomingPhoneNumbers.json"));
        let page: IncomingNumberPage = self
            .send_json(
                self.request(Method::GET, &url)
                    .query(&[("PhoneNumber", phone)]),
            )
            .await?;
        Ok(page
            .incoming_phone_numbers
            .iter()
            .any(|n| n.phone_number == phone))
    }

    /// The account's Messaging Service `sid`; `NotFound` when the account has no such service.
    pub async fn fetch_messaging_service(
        &self,
        sid: &str,
    ) -> Result<MessagingService, TwilioError> {
        let url = self.messaging_url(&format!("/v1/Services/{sid}"));
        self.send_json(self.request(Method::GET, &url)).await
    }

    pub async fn create_message(
        &self,
        message: &CreateMessage<'_>,
    ) -> Result<TwilioMessage, TwilioError> {
        let url = self.url(&self.account_path("/Messages.json"));
        let mut form: Vec<(&str, &str)> = vec![("To", message.to), ("Body", message.body)];
        if let Some(from) = message.from {
            form.push(("From", from));
        }
        if let Some(service) = message.messaging_service_sid {
            form.push(("MessagingServiceSid", service));
        }
        self.send_json(self.request(Method::POST, &url).form(&form))
            .await
    }

    pub async fn fetch_message(&self, sid: &str) -> Result<TwilioMessage, TwilioError> {
        let url = self.url(&self.account_path(&format!("/Messages/{sid}.json")));
        self.send_json(self.request(Method::GET, &url)).await
    }

    /// The first page of the Message list, newest first.
    pub async fn list_messages(&self, filter: &ListFilter) -> Result<MessagePage, TwilioError> {
        let url = self.url(&self.account_path("/Messages.json"));
        let mut query: Vec<(&str, String)> = Vec::new();
        if let Some(to) = &filter.to {
            query.push(("To", to.clone()));
        }
        if let Some(from) = &filter.from {
            query.push(("From", from.clone()));
        }
        if let Some(day) = filter.sent_on_or_after {
            query.push(("DateSent>", day.format("%Y-%m-%d").to_string()));
        }
        let page_size = filter.page_size.clamp(1, 1000);
        query.push(("PageSize", page_size.to_string()));
        self.send_json(self.request(Method::GET, &url).query(&query))
            .await
    }

    /// A later page, from the relative `next_page_uri` Twilio returned.
    pub async fn next_page(&self, next_page_uri: &str) -> Result<MessagePage, TwilioError> {
        if !next_page_uri.starts_with('/') {
            return Err(TwilioError::Malformed {
                detail: format!("next_page_uri is not a relative URI: {next_page_uri:.80}"),
            });
        }
        let url = self.url(next_page_uri);
        self.send_json(self.request(Method::GET, &url)).await
    }

    async fn send_json<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<T, TwilioError> {
        let response = request.send().await.map_err(|e| transport_error(&e))?;
        let status = response.status();
        if status.is_success() {
            let bytes = response.bytes().await.map_err(|e| transport_error(&e))?;
            // One check of the whole body is much cheaper than serde_json's check of every
            // string in it, on pages of a thousand messages.
            let text = std::str::from_utf8(&bytes).map_err(|e| TwilioError::Malformed {
                detail: format!("the response is not UTF-8 text: {e}"),
            })?;
            return serde_json::from_str(text).map_err(|e| TwilioError::Malformed {
                detail: e.to_string(),
            });
        }
        Err(error_response(status, response).await)
    }
}

/// A failure before any HTTP status arrived. Only a failed connect proves the request never
/// left; anything later may have reached Twilio.
fn transport_error(err: &reqwest::Error) -> TwilioError {
    let detail = describe_transport(err);
    if err.is_connect() {
        TwilioError::Offline { detail }
    } else if err.is_builder() {
        TwilioError::Malformed { detail }
    } else {
        TwilioError::NoResponse { detail }
    }
}

fn describe_transport(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".to_string()
    } else if err.is_connect() {
        "connection failed".to_string()
    } else {
        // Strip the URL: it carries no secret, but the message stays short and stable.
        let mut source: Option<&dyn std::error::Error> = Some(err);
        let mut last = String::from("connection lost");
        while let Some(e) = source {
            last = e.to_string();
            source = e.source();
        }
        last
    }
}

async fn error_response(status: StatusCode, response: Response) -> TwilioError {
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body: Option<ErrorBody> = match response.bytes().await {
        Ok(bytes) => serde_json::from_slice(&bytes).ok(),
        Err(_) => None,
    };
    match status {
        StatusCode::UNAUTHORIZED => TwilioError::Auth,
        StatusCode::TOO_MANY_REQUESTS => TwilioError::RateLimited { retry_after },
        s if s.is_server_error() => TwilioError::Server { status: s.as_u16() },
        s => match body.and_then(|b| b.code.map(|c| (c, b.message.unwrap_or_default()))) {
            Some((code, message)) => TwilioError::from_code(code, message),
            None if s == StatusCode::NOT_FOUND => TwilioError::NotFound,
            None => TwilioError::Malformed {
                detail: format!("HTTP {} without a Twilio error body", s.as_u16()),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(api_base: &str) -> TwilioClient {
        let auth = Auth::Token(Secret::new("t"));
        TwilioClient::new(ClientConfig::new(api_base, "AC1", auth)).unwrap()
    }

    #[test]
    fn the_messaging_api_has_its_own_host_only_at_twilio() {
        assert_eq!(
            client("https://api.twilio.com/").messaging_url("/v1/Services/MG1"),
            "https://messaging.twilio.com/v1/Services/MG1"
        );
        assert_eq!(
            client("https://api.dublin.ie1.twilio.com").messaging_url("/v1/Services/MG1"),
            "https://messaging.dublin.ie1.twilio.com/v1/Services/MG1"
        );
        assert_eq!(
            client("https://api.nottwilio.com").messaging_url("/v1/Services/MG1"),
            "https://api.nottwilio.com/v1/Services/MG1"
        );
        assert_eq!(
            client("http://127.0.0.1:8099").messaging_url("/v1/Services/MG1"),
            "http://127.0.0.1:8099/v1/Services/MG1"
        );
    }
}
