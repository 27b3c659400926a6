//! A thin client for the ListenBrainz playlist API (create, item/add, item/delete, item/move,
//! edit, get), one call per method. Every request goes through one [`Upstream`]: paced (about
//! one a second), retried on 5xx and dropped connections, 429 honoured via `Retry-After` or
//! `X-RateLimit-Reset-In`. On top, the answer's `X-RateLimit-Remaining` is watched: when it
//! reaches 0 the next request waits `X-RateLimit-Reset-In` first, or pauses (exit 75) when that
//! is longer than the allowed wait. 401 means the token is wrong; 404 that the playlist is gone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use url::Url;

use super::error::PushError;
use crate::config::join_url;
use crate::http::{
    network_client, HttpError, HttpResponse, Request, RequestCounts, RetryPolicy, Transport,
    Upstream,
};

pub const LABEL_CREATE: &str = "playlist/create";
pub const LABEL_ADD: &str = "item/add";
pub const LABEL_DELETE: &str = "item/delete";
pub const LABEL_MOVE: &str = "item/move";
pub const LABEL_EDIT: &str = "playlist/edit";
pub const LABEL_GET: &str = "get playlist";

const RECORDING_PREFIX: &str = "https://musicbrainz.org/recording/";

/// A paced client for one ListenBrainz API base and token.
#[derive(Debug)]
pub struct ListenBrainz {
    upstream: Upstream,
    base: Url,
    token: String,
    /// Waits longer than this pause instead.
    max_wait: Duration,
    /// Set when the server said the rate-limit window is used up: no request before then.
    hold_until: Mutex<Option<Instant>>,
    /// Set when a changing request needed more than one attempt: an earlier attempt may have
    /// been applied before its answer was lost, so the playlist should be read back.
    retried_change: AtomicBool,
}

impl ListenBrainz {
    /// The network client: `user_agent` as for MusicBrainz, one request per `interval`.
    pub fn network(
        user_agent: &str,
        base: Url,
        token: &str,
        interval: Duration,
        max_wait: Duration,
    ) -> Result<Self, PushError> {
        let client = network_client(user_agent, Duration::from_secs(30))?;
        Ok(Self::new(
            Transport::Network(client),
            base,
            token,
            interval,
            max_wait,
        ))
    }

    pub fn new(
        transport: Transport,
        base: Url,
        token: &str,
        interval: Duration,
        max_wait: Duration,
    ) -> Self {
        let retry = RetryPolicy {
            long_wait: max_wait,
            ..RetryPolicy::default()
        };
        ListenBrainz {
            upstream: Upstream::new("ListenBrainz", transport, interval, retry),
            base,
            token: token.to_string(),
            max_wait,
            hold_until: Mutex::new(None),
            retried_change: AtomicBool::new(false),
        }
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// Requests sent so far, per endpoint (retries included).
    pub fn request_counts(&self) -> RequestCounts {
        self.upstream.request_counts()
    }

    /// `POST /1/playlist/create` with `{"playlist": jspf}`; returns the new playlist's MBID.
    pub async fn create(&self, jspf: Value) -> Result<String, PushError> {
        let url = join_url(&self.base, "1/playlist/create");
        let resp = self
            .post(url, LABEL_CREATE, json!({ "playlist": jspf }))
            .await?;
        self.expect_ok(LABEL_CREATE, &resp, None)?;
        let body: Value = parse(LABEL_CREATE, &resp)?;
        body.get("playlist_mbid")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .ok_or_else(|| PushError::Malformed {
                endpoint: LABEL_CREATE.into(),
                detail: "no playlist_mbid in the answer".into(),
            })
    }

    /// `POST /1/playlist/{mbid}/item/add[/{offset}]` with at most 100 tracks.
    pub async fn add(
        &self,
        mbid: &str,
        offset: Option<usize>,
        tracks: Vec<Value>,
    ) -> Result<(), PushError> {
        let path = match offset {
            Some(at) => format!("1/playlist/{mbid}/item/add/{at}"),
            None => format!("1/playlist/{mbid}/item/add"),
        };
        let url = join_url(&self.base, &path);
        let body = json!({ "playlist": { "track": tracks } });
        let resp = self.post(url, LABEL_ADD, body).await?;
        self.expect_ok(LABEL_ADD, &resp, Some(mbid))
    }

    /// `POST /1/playlist/{mbid}/item/delete` `{index, count}`.
    pub async fn delete(&self, mbid: &str, index: usize, count: usize) -> Result<(), PushError> {
        let url = join_url(&self.base, &format!("1/playlist/{mbid}/item/delete"));
        let body = json!({ "index": index, "count": count });
        let resp = self.post(url, LABEL_DELETE, body).await?;
        self.expect_ok(LABEL_DELETE, &resp, Some(mbid))
    }

    /// `POST /1/playlist/{mbid}/item/move` `{mbid, from, to, count}`.
    pub async fn move_items(
        &self,
        mbid: &str,
        from: usize,
        to: usize,
        count: usize,
    ) -> Result<(), PushError> {
        let url = join_url(&self.base, &format!("1/playlist/{mbid}/item/move"));
        let body = json!({ "mbid": mbid, "from": from, "to": to, "count": count });
        let resp = self.post(url, LABEL_MOVE, body).await?;
        self.expect_ok(LABEL_MOVE, &resp, Some(mbid))
    }

    /// `POST /1/playlist/edit/{mbid}` with title, public flag and annotation.
    pub async fn edit(&self, mbid: &str, jspf: Value) -> Result<(), PushError> {
        let url = join_url(&self.base, &format!("1/playlist/edit/{mbid}"));
        let resp = self
            .post(url, LABEL_EDIT, json!({ "playlist": jspf }))
            .await?;
        self.expect_ok(LABEL_EDIT, &resp, Some(mbid))
    }

    /// `GET /1/playlist/{mbid}`: the recording MBIDs it holds, in order.
    pub async fn recordings(&self, mbid: &str) -> Result<Vec<String>, PushError> {
        let mut url = join_url(&self.base, &format!("1/playlist/{mbid}"));
        url.query_pairs_mut().append_pair("fetch_metadata", "false");
        let req = Request::get(url, LABEL_GET).header("Authorization", &self.auth());
        let resp = self.send(&req).await?;
        self.expect_ok(LABEL_GET, &resp, Some(mbid))?;
        let body: Value = parse(LABEL_GET, &resp)?;
        let malformed = |detail: &str| PushError::Malformed {
            endpoint: LABEL_GET.into(),
            detail: detail.into(),
        };
        let tracks = match body.pointer("/playlist/track") {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(tracks)) => tracks,
            Some(_) => return Err(malformed("playlist.track is not a list")),
        };
        tracks
            .iter()
            .map(|t| {
                recording_of(t).ok_or_else(|| malformed("a track has no recording identifier"))
            })
            .collect()
    }

    /// Whether a changing request was retried since the last call (and clears the flag).
    pub fn take_retried_change(&self) -> bool {
        self.retried_change.swap(false, Ordering::SeqCst)
    }

    fn auth(&self) -> String {
        format!("Token {}", self.token)
    }

    async fn post(&self, url: Url, label: &str, body: Value) -> Result<HttpResponse, PushError> {
        let req = Request::post_json(url, label, &body).header("Authorization", &self.auth());
        self.send(&req).await
    }

    /// Waits out an exhausted rate-limit window (or pauses), sends, notes the new window.
    async fn send(&self, req: &Request) -> Result<HttpResponse, PushError> {
        let hold = self.hold_until.lock().map(|h| *h).unwrap_or(None);
        if let Some(until) = hold {
            let wait = until.saturating_duration_since(Instant::now());
            if wait > self.max_wait {
                return Err(HttpError::LongRetryAfter {
                    upstream: "ListenBrainz".into(),
                    retry_after: wait,
                    until: crate::wait::resume_at(chrono::Utc::now(), wait),
                }
                .into());
            }
            tracing::debug!(?wait, "ListenBrainz rate-limit window used up; waiting");
            tokio::time::sleep(wait).await;
        }
        let label_count = |c: RequestCounts| c.0.get(&req.label).copied().unwrap_or(0);
        let before = label_count(self.upstream.request_counts());
        let resp = self.upstream.send(req).await?;
        let attempts = label_count(self.upstream.request_counts()).saturating_sub(before);
        if attempts > 1 && req.method != reqwest::Method::GET {
            self.retried_change.store(true, Ordering::SeqCst);
        }
        let exhausted = resp
            .header("x-ratelimit-remaining")
            .and_then(|v| v.trim().parse::<u64>().ok())
            == Some(0);
        let next = if exhausted {
            // Without a reset time, the documented one-second rhythm.
            let wait = resp.rate_limit_reset_in().unwrap_or(Duration::from_secs(1));
            Instant::now().checked_add(wait).or(Some(Instant::now()))
        } else {
            None
        };
        if let Ok(mut h) = self.hold_until.lock() {
            *h = next;
        }
        Ok(resp)
    }

    /// 2xx is fine; 401 is a bad token; 404 on a playlist means it is gone.
    fn expect_ok(
        &self,
        endpoint: &str,
        resp: &HttpResponse,
        playlist: Option<&str>,
    ) -> Result<(), PushError> {
        match resp.status {
            s if (200..300).contains(&s) => Ok(()),
            401 => Err(PushError::TokenRejected),
            404 if playlist.is_some() => Err(PushError::PlaylistGone(
                playlist.unwrap_or_default().to_string(),
            )),
            status => Err(PushError::Status {
                endpoint: endpoint.to_string(),
                status,
                snippet: resp.body_snippet(),
            }),
        }
    }
}

/// The recording MBID of a JSPF track: `identifier` as a string or a list of strings.
fn recording_of(track: &Value) -> Option<String> {
    let from = |s: &str| s.strip_prefix(RECORDING_PREFIX).map(|m| m.to_string());
    match track.get("identifier")? {
        Value::String(s) => from(s),
        Value::Array(ids) => ids.iter().filter_map(Value::as_str).find_map(from),
        _ => None,
    }
}

fn parse(endpoint: &str, resp: &HttpResponse) -> Result<Value, PushError> {
    serde_json::from_slice(&resp.body).map_err(|e| PushError::Malformed {
        endpoint: endpoint.to_string(),
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_string_and_list_identifiers() {
        let id = "https://musicbrainz.org/recording/abc";
        assert_eq!(recording_of(&json!({"identifier": id})).unwrap(), "abc");
        assert_eq!(
            recording_of(&json!({"identifier": ["urn:isrc:X", id]})).unwrap(),
            "abc"
        );
        assert!(recording_of(&json!({"identifier": 3})).is_none());
        assert!(recording_of(&json!({})).is_none());
    }
}
