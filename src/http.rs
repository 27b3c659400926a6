//! The one place where requests leave trackvault: one [`Upstream`] per service (Spotify Web API,
//! MusicBrainz), each with a single pacing limiter (governor), jittered exponential retries
//! (backon) for 5xx, timeouts and dropped connections, `Retry-After` honoured on 429/503, and
//! per-endpoint request counts. Callers interpret the final status; this layer only decides
//! whether to try again, wait, or stop.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::HeaderMap;
use url::Url;

/// A response as received, body fully read.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The first 200 characters of the body, for error messages.
    pub fn body_snippet(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let mut snippet: String = text.chars().take(200).collect();
        if text.chars().count() > 200 {
            snippet.push('…');
        }
        snippet
    }

    /// `Retry-After` as a duration (delta-seconds or an HTTP date).
    pub fn retry_after(&self) -> Option<Duration> {
        parse_retry_after(self.header("retry-after")?)
    }

    /// `X-RateLimit-Reset-In` (seconds until the window resets), which ListenBrainz sends on
    /// every answer, 429s included, instead of `Retry-After`.
    pub fn rate_limit_reset_in(&self) -> Option<Duration> {
        parse_retry_after(self.header("x-ratelimit-reset-in")?)
    }
}

/// Parses a `Retry-After` value: seconds (whole or fractional) or an HTTP date relative to
/// now, bounded to [`crate::wait::MAX_SERVER_WAIT`] whatever the server sent.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    crate::wait::parse_retry_after(value, chrono::Utc::now())
}

/// One request to send. `label` names the endpoint in request counts (e.g. `/me/tracks`).
#[derive(Debug, Clone)]
pub struct Request {
    pub method: reqwest::Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub form: Option<Vec<(String, String)>>,
    /// A JSON body (sent with `Content-Type: application/json`), for write requests.
    pub json: Option<Vec<u8>>,
    pub label: String,
}

impl Request {
    pub fn get(url: Url, label: impl Into<String>) -> Self {
        Self::new(reqwest::Method::GET, url, label)
    }

    /// A request with any method and no body.
    pub fn new(method: reqwest::Method, url: Url, label: impl Into<String>) -> Self {
        Request {
            method,
            url,
            headers: Vec::new(),
            form: None,
            json: None,
            label: label.into(),
        }
    }

    /// Attaches a JSON body.
    pub fn json_body(mut self, body: Vec<u8>) -> Self {
        self.json = Some(body);
        self
    }

    /// A POST with a JSON body.
    pub fn post_json(url: Url, label: impl Into<String>, body: &serde_json::Value) -> Self {
        Request {
            method: reqwest::Method::POST,
            ..Request::get(url, label)
        }
        .json_body(serde_json::to_vec(body).unwrap_or_default())
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// Answers requests without a network: used by `trackvault demo` to replay bundled responses
/// through the same pacing, retry and parsing code as a real run.
pub type ReplayFn = dyn Fn(&Request) -> HttpResponse + Send + Sync;

/// How requests reach the service.
#[derive(Clone)]
pub enum Transport {
    Network(reqwest::Client),
    Replay(Arc<ReplayFn>),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Network(_) => f.write_str("Transport::Network"),
            Transport::Replay(_) => f.write_str("Transport::Replay"),
        }
    }
}

/// Builds the shared reqwest client: rustls, timeouts, our User-Agent.
pub fn network_client(user_agent: &str, timeout: Duration) -> Result<reqwest::Client, HttpError> {
    reqwest::Client::builder()
        .user_agent(user_agent)
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(|e| HttpError::Setup(e.to_string()))
}

/// Retry and pause policy for one upstream.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt for 5xx, timeouts and dropped connections.
    pub max_retries: usize,
    pub min_delay: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not slept through: the caller is told to pause.
    pub long_wait: Duration,
    /// Upper bound on 429/503 waits honoured in a row before giving up.
    pub max_rate_limited: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 5,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            long_wait: Duration::from_secs(120),
            max_rate_limited: 10,
        }
    }
}

/// Why a request could not be completed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{upstream} says the app's request quota is used up; resume after {}", .until.as_deref().unwrap_or("a few hours (no time was given)"))]
    QuotaExceeded {
        upstream: String,
        retry_after: Option<Duration>,
        /// When the wait ends (RFC 3339, UTC), when the server gave one.
        until: Option<String>,
    },
    #[error("{upstream} asked to wait {} before the next request (until {until})", crate::wait::human(*.retry_after))]
    LongRetryAfter {
        upstream: String,
        retry_after: Duration,
        /// When the wait ends (RFC 3339, UTC), fixed when the answer arrived.
        until: String,
    },
    #[error("{upstream} request to {path} failed after {attempts} attempts: {last}; check your connection and try again later")]
    GaveUp {
        upstream: String,
        path: String,
        attempts: usize,
        last: String,
    },
    #[error("could not set up the HTTP client: {0}")]
    Setup(String),
}

impl HttpError {
    /// How long the server asked us to stay away, when this error is a pause.
    pub fn pause_for(&self) -> Option<Option<Duration>> {
        match self {
            HttpError::QuotaExceeded { retry_after, .. } => Some(*retry_after),
            HttpError::LongRetryAfter { retry_after, .. } => Some(Some(*retry_after)),
            _ => None,
        }
    }
}

/// Requests sent per endpoint label, retries included.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RequestCounts(pub BTreeMap<String, u64>);

impl RequestCounts {
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// The requests counted after `before` was taken (labels with none left out), so one run
    /// can report its own requests on a client that made others earlier.
    pub fn since(&self, before: &RequestCounts) -> RequestCounts {
        RequestCounts(
            self.0
                .iter()
                .map(|(label, n)| {
                    let earlier = before.0.get(label).copied().unwrap_or(0);
                    (label.clone(), n.saturating_sub(earlier))
                })
                .filter(|(_, n)| *n > 0)
                .collect(),
        )
    }
}

/// A paced, retrying client for one service.
pub struct Upstream {
    name: String,
    transport: Transport,
    limiter: Option<DefaultDirectRateLimiter>,
    retry: RetryPolicy,
    counts: Mutex<RequestCounts>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("name", &self.name)
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

/// What one attempt came to.
enum Attempt {
    Done(HttpResponse),
    /// Server asked to wait (429/503 with or without Retry-After).
    RateLimited(Option<Duration>, String),
    /// 5xx, timeout or dropped connection.
    Transient(String),
    /// Spotify's 429 with `QUOTA_EXCEEDED`: the app's daily budget is spent.
    QuotaExceeded(Option<Duration>),
}

impl Upstream {
    /// `min_interval` is the minimum spacing between requests (zero = unpaced); bursts are
    /// never allowed, so two requests are always at least `min_interval` apart.
    pub fn new(
        name: &str,
        transport: Transport,
        min_interval: Duration,
        retry: RetryPolicy,
    ) -> Self {
        let limiter = Quota::with_period(min_interval)
            .map(|q| RateLimiter::direct(q.allow_burst(NonZeroU32::MIN)));
        Upstream {
            name: name.to_string(),
            transport,
            limiter,
            retry,
            counts: Mutex::new(RequestCounts::default()),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Requests sent so far, per endpoint label.
    pub fn request_counts(&self) -> RequestCounts {
        self.counts.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Sends `req`, retrying transient failures and honouring `Retry-After`. Returns the final
    /// response whatever its status, unless the service asked for a pause or retries ran out.
    pub async fn send(&self, req: &Request) -> Result<HttpResponse, HttpError> {
        self.send_with(req, true).await
    }

    /// Like [`Upstream::send`], but a 5xx, timeout or dropped connection is not retried: for
    /// writes that are not idempotent (creating a playlist, appending to one), where the
    /// server may have applied a request whose answer was lost. The caller checks the
    /// server's state before trying again. `Retry-After` waits are still honoured (a 429 or
    /// 503 means the request was not applied).
    pub async fn send_once(&self, req: &Request) -> Result<HttpResponse, HttpError> {
        self.send_with(req, false).await
    }

    async fn send_with(
        &self,
        req: &Request,
        retry_transient: bool,
    ) -> Result<HttpResponse, HttpError> {
        let mut backoff = ExponentialBuilder::default()
            .with_min_delay(self.retry.min_delay)
            .with_max_delay(self.retry.max_delay)
            .with_max_times(self.retry.max_retries)
            .with_jitter()
            .build();
        let mut attempts = 0usize;
        let mut rate_limited = 0usize;
        loop {
            attempts += 1;
            if let Some(limiter) = &self.limiter {
                limiter.until_ready().await;
            }
            self.count(&req.label);
            let (wait, last) = match self.attempt(req).await {
                Attempt::Done(resp) => return Ok(resp),
                Attempt::QuotaExceeded(retry_after) => {
                    return Err(HttpError::QuotaExceeded {
                        upstream: self.name.clone(),
                        retry_after,
                        until: retry_after
                            .map(|wait| crate::wait::resume_at(chrono::Utc::now(), wait)),
                    })
                }
                Attempt::RateLimited(retry_after, last) => {
                    rate_limited += 1;
                    if let Some(wait) = retry_after {
                        if wait > self.retry.long_wait {
                            return Err(HttpError::LongRetryAfter {
                                upstream: self.name.clone(),
                                retry_after: wait,
                                until: crate::wait::resume_at(chrono::Utc::now(), wait),
                            });
                        }
                    }
                    if rate_limited > self.retry.max_rate_limited {
                        return Err(self.gave_up(req, attempts, last));
                    }
                    // Without Retry-After, wait at least a second: both services ask for that.
                    let wait = retry_after.unwrap_or(Duration::from_secs(1)) + small_jitter();
                    (wait, last)
                }
                Attempt::Transient(last) => match backoff.next().filter(|_| retry_transient) {
                    Some(wait) => (wait, last),
                    None => return Err(self.gave_up(req, attempts, last)),
                },
            };
            tracing::debug!(upstream = %self.name, endpoint = %req.label, ?wait, %last, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    fn gave_up(&self, req: &Request, attempts: usize, last: String) -> HttpError {
        HttpError::GaveUp {
            upstream: self.name.clone(),
            path: req.url.path().to_string(),
            attempts,
            last,
        }
    }

    fn count(&self, label: &str) {
        if let Ok(mut counts) = self.counts.lock() {
            *counts.0.entry(label.to_string()).or_default() += 1;
        }
    }

    async fn attempt(&self, req: &Request) -> Attempt {
        let resp = match &self.transport {
            Transport::Replay(replay) => replay(req),
            Transport::Network(client) => match send_network(client, req).await {
                Ok(resp) => resp,
                Err(e) => return Attempt::Transient(describe_reqwest_error(&e)),
            },
        };
        match resp.status {
            429 => {
                let body = String::from_utf8_lossy(&resp.body);
                if body.contains("QUOTA_EXCEEDED") {
                    // Not a pacing hint: the daily budget is gone. Waiting here would only
                    // push the deadline further out, so hand the decision to the caller.
                    return Attempt::QuotaExceeded(resp.retry_after());
                }
                let wait = resp.retry_after().or_else(|| resp.rate_limit_reset_in());
                Attempt::RateLimited(wait, "429 Too Many Requests".into())
            }
            503 => Attempt::RateLimited(
                resp.retry_after(),
                format!("503 Service Unavailable: {}", resp.body_snippet()),
            ),
            500..=599 | 408 => Attempt::Transient(format!("HTTP {}", resp.status)),
            _ => Attempt::Done(resp),
        }
    }
}

fn small_jitter() -> Duration {
    let mut byte = [0u8; 1];
    let _ = getrandom::fill(&mut byte);
    Duration::from_millis(u64::from(byte[0]))
}

async fn send_network(
    client: &reqwest::Client,
    req: &Request,
) -> Result<HttpResponse, reqwest::Error> {
    let mut builder = client.request(req.method.clone(), req.url.clone());
    for (name, value) in &req.headers {
        builder = builder.header(name, value);
    }
    if let Some(form) = &req.form {
        builder = builder.form(form);
    }
    if let Some(json) = &req.json {
        builder = builder
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(json.clone());
    } else if req.form.is_none() && req.method != reqwest::Method::GET {
        // A write without a body (`PUT /me/library?uris=…`) still says `Content-Length: 0`;
        // some front ends answer 411 otherwise.
        builder = builder.body(Vec::new());
    }
    let resp = builder.send().await?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await?.to_vec();
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

/// A short cause without the URL's query string (which may carry identifiers, never tokens).
fn describe_reqwest_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "connection dropped while reading the response"
    } else {
        "connection failed"
    };
    kind.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
        let past = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(parse_retry_after(past), Some(Duration::ZERO));
    }

    fn replay(status: u16, body: &'static str, retry_after: Option<&'static str>) -> Transport {
        Transport::Replay(Arc::new(move |_req: &Request| {
            let mut headers = HeaderMap::new();
            if let Some(v) = retry_after {
                headers.insert("retry-after", v.parse().unwrap());
            }
            HttpResponse {
                status,
                headers,
                body: body.as_bytes().to_vec(),
            }
        }))
    }

    fn quick_policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 2,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            long_wait: Duration::from_secs(60),
            max_rate_limited: 3,
        }
    }

    fn url() -> Url {
        Url::parse("http://127.0.0.1:9/me").unwrap()
    }

    #[tokio::test]
    async fn quota_429_becomes_quota_exceeded_without_retrying() {
        let up = Upstream::new(
            "Spotify",
            replay(
                429,
                r#"{"error":{"reason":"QUOTA_EXCEEDED"}}"#,
                Some("48925"),
            ),
            Duration::ZERO,
            quick_policy(),
        );
        let err = up.send(&Request::get(url(), "/me")).await.unwrap_err();
        assert!(matches!(err, HttpError::QuotaExceeded { .. }), "{err:?}");
        assert_eq!(up.request_counts().total(), 1);
    }

    #[tokio::test]
    async fn long_retry_after_asks_for_a_pause() {
        let up = Upstream::new(
            "Spotify",
            replay(429, "", Some("3600")),
            Duration::ZERO,
            quick_policy(),
        );
        let err = up.send(&Request::get(url(), "/me")).await.unwrap_err();
        assert_eq!(err.pause_for(), Some(Some(Duration::from_secs(3600))));
    }

    #[tokio::test]
    async fn a_429_without_retry_after_waits_for_the_rate_limit_reset() {
        // ListenBrainz says when its window resets instead of sending Retry-After.
        let transport = Transport::Replay(Arc::new(|_req: &Request| {
            let mut headers = HeaderMap::new();
            headers.insert("x-ratelimit-reset-in", "3600".parse().unwrap());
            headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
            HttpResponse {
                status: 429,
                headers,
                body: Vec::new(),
            }
        }));
        let up = Upstream::new("ListenBrainz", transport, Duration::ZERO, quick_policy());
        let err = up.send(&Request::get(url(), "/x")).await.unwrap_err();
        assert_eq!(err.pause_for(), Some(Some(Duration::from_secs(3600))));
        assert_eq!(up.request_counts().total(), 1);
    }

    #[tokio::test]
    async fn persistent_5xx_gives_up_after_the_retry_budget() {
        let up = Upstream::new(
            "Spotify",
            replay(502, "bad gateway", None),
            Duration::ZERO,
            quick_policy(),
        );
        let err = up.send(&Request::get(url(), "/me")).await.unwrap_err();
        assert!(
            matches!(err, HttpError::GaveUp { attempts: 3, .. }),
            "{err:?}"
        );
        assert_eq!(up.request_counts().0.get("/me"), Some(&3));
    }

    #[tokio::test]
    async fn send_once_does_not_repeat_a_write_whose_answer_was_a_5xx() {
        let up = Upstream::new(
            "Spotify",
            replay(502, "bad gateway", None),
            Duration::ZERO,
            quick_policy(),
        );
        let req = Request::new(reqwest::Method::POST, url(), "POST /me/playlists")
            .json_body(b"{}".to_vec());
        let err = up.send_once(&req).await.unwrap_err();
        assert!(
            matches!(err, HttpError::GaveUp { attempts: 1, .. }),
            "{err:?}"
        );
        assert_eq!(up.request_counts().0.get("POST /me/playlists"), Some(&1));
        // A 429 was not applied: send_once still waits and tries again.
        let up = Upstream::new(
            "Spotify",
            replay(429, "", Some("0")),
            Duration::ZERO,
            quick_policy(),
        );
        assert!(up.send_once(&req).await.is_err());
        assert_eq!(up.request_counts().total(), 4);
    }

    #[tokio::test]
    async fn client_errors_are_returned_to_the_caller() {
        let up = Upstream::new(
            "Spotify",
            replay(403, "forbidden", None),
            Duration::ZERO,
            quick_policy(),
        );
        let resp = up.send(&Request::get(url(), "/me")).await.unwrap();
        assert_eq!(resp.status, 403);
    }
}
