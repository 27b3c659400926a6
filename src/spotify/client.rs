//! [`SpotifyClient`]: authenticated GETs against the Web API through the shared
//! [`crate::http::Upstream`] (one limiter, retries, Retry-After), with one retry on 401 (after a refresh when the rejected token was the current one)
//! and 403s classified into actionable errors.

use std::time::Duration;

use url::Url;

use super::error::{classify_forbidden, describe_body, SpotifyError};
use crate::config::{join_url, Settings};
use crate::http::{self, Request, RequestCounts, RetryPolicy, Transport, Upstream};
use crate::spotify::auth::TokenProvider;

/// Name of the Spotify upstream in logs and errors.
pub const UPSTREAM: &str = "Spotify";
/// Per-request timeout for the network transport.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A thin Spotify Web API client: raw bodies in, typed errors out.
#[derive(Debug)]
pub struct SpotifyClient {
    upstream: Upstream,
    base: Url,
    tokens: TokenProvider,
}

impl SpotifyClient {
    /// A client for the configured API base over the network, paced by
    /// `settings.spotify_interval`; a Retry-After longer than `settings.max_wait` pauses.
    pub fn from_settings(settings: &Settings, tokens: TokenProvider) -> Result<Self, SpotifyError> {
        let client = http::network_client(&settings.user_agent(), TIMEOUT)?;
        Ok(Self::with_transport(
            Transport::Network(client),
            settings.spotify_api_url.clone(),
            tokens,
            settings.spotify_interval,
            retry_policy(settings),
        ))
    }

    /// A client over an explicit transport and base URL (tests, benches, the demo's replay:
    /// the demo builds its client through this).
    pub fn with_transport(
        transport: Transport,
        base: Url,
        tokens: TokenProvider,
        min_interval: Duration,
        retry: RetryPolicy,
    ) -> Self {
        SpotifyClient {
            upstream: Upstream::new(UPSTREAM, transport, min_interval, retry),
            base,
            tokens,
        }
    }

    /// Requests sent so far, per endpoint label (retries and refresh retries included).
    pub fn request_counts(&self) -> RequestCounts {
        self.upstream.request_counts()
    }

    /// GETs `path` (below the API base) with `query`; returns the body of a 2xx response.
    /// `label` names the endpoint in request counts and errors (`/playlists/{id}/items`).
    pub async fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
        label: &str,
    ) -> Result<Vec<u8>, SpotifyError> {
        self.call(reqwest::Method::GET, path, query, None, label, true)
            .await
    }

    /// Sends a write (`POST`/`PUT`/`DELETE`) with an optional JSON body; returns the body of a
    /// 2xx response. With `idempotent == false` a 5xx or dropped connection is not retried
    /// here (the server may have applied it): the caller must look before trying again.
    pub async fn write(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        json: Option<Vec<u8>>,
        label: &str,
        idempotent: bool,
    ) -> Result<Vec<u8>, SpotifyError> {
        self.call(method, path, query, json, label, idempotent)
            .await
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        json: Option<Vec<u8>>,
        label: &str,
        retry_transient: bool,
    ) -> Result<Vec<u8>, SpotifyError> {
        let mut url = join_url(&self.base, path);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        let build = |token: &str| {
            let mut req = Request::new(method.clone(), url.clone(), label)
                .header("Authorization", &format!("Bearer {token}"));
            if let Some(body) = &json {
                req = req.json_body(body.clone());
            }
            req
        };
        let send = |req: Request| async move {
            if retry_transient {
                self.upstream.send(&req).await
            } else {
                self.upstream.send_once(&req).await
            }
        };
        let token = self.tokens.access_token().await?;
        let mut resp = send(build(&token)).await?;
        if resp.status == 401 {
            // Expired or revoked mid-run: retry once with the current token, refreshed first
            // when it is the one that was just rejected (a 401 was not applied).
            tracing::info!(endpoint = label, "access token rejected; refreshing it");
            let token = self.tokens.refresh_after_unauthorized(&token).await?;
            resp = send(build(&token)).await?;
            if resp.status == 401 {
                return Err(SpotifyError::Unauthorized {
                    endpoint: label.to_string(),
                });
            }
        }
        match resp.status {
            200..=299 => Ok(resp.body),
            403 => Err(SpotifyError::Forbidden {
                endpoint: label.to_string(),
                reason: classify_forbidden(label, &resp.body),
            }),
            status => Err(SpotifyError::Status {
                endpoint: label.to_string(),
                status,
                detail: describe_body(&resp.body),
            }),
        }
    }
}

/// Retry policy for Spotify: the shared defaults, pausing beyond `settings.max_wait`.
pub fn retry_policy(settings: &Settings) -> RetryPolicy {
    RetryPolicy {
        long_wait: settings.max_wait,
        ..RetryPolicy::default()
    }
}
