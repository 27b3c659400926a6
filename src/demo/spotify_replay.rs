//! Replays the bundled Spotify responses (`fixtures/demo/spotify.json`) for `trackvault demo`.
//! Requests still go through the real Spotify client, pacing and parsing code; only the
//! transport is swapped.

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::header::HeaderMap;
use serde::Deserialize;

use crate::http::{HttpResponse, Request, Transport};

const RESPONSES: &str = include_str!("../../fixtures/demo/spotify.json");

/// Base URL the demo's Spotify client is pointed at; nothing is ever sent there.
pub const DEMO_SPOTIFY_URL: &str = "http://demo.trackvault.invalid/v1";

#[derive(Deserialize)]
struct Recorded {
    status: u16,
    body: serde_json::Value,
}

/// The key a request is looked up by: the path below `/v1`, plus `?offset=N` or `?after=ID`.
pub fn request_key(req: &Request) -> String {
    let path = req.url.path();
    let path = path.strip_prefix("/v1").unwrap_or(path);
    let param = req
        .url
        .query_pairs()
        .find(|(k, _)| k == "offset" || k == "after")
        .map(|(k, v)| format!("?{k}={v}"));
    format!("{path}{}", param.unwrap_or_default())
}

/// A transport answering from the bundled responses; unknown requests get a 404 like Spotify's.
pub fn transport() -> Transport {
    let recorded: HashMap<String, Recorded> = serde_json::from_str(RESPONSES).unwrap_or_default();
    let responses: HashMap<String, (u16, Vec<u8>)> = recorded
        .into_iter()
        .map(|(key, r)| (key, (r.status, r.body.to_string().into_bytes())))
        .collect();
    Transport::Replay(Arc::new(move |req: &Request| {
        let (status, body) = responses
            .get(&request_key(req))
            .cloned()
            .unwrap_or_else(|| {
                (
                    404,
                    br#"{"error":{"status":404,"message":"Not found (not in the demo data)"}}"#
                        .to_vec(),
                )
            });
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            "application/json".parse().expect("static header"),
        );
        HttpResponse {
            status,
            headers,
            body,
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    #[test]
    fn bundled_responses_parse_and_keys_ignore_other_parameters() {
        let recorded: HashMap<String, Recorded> = serde_json::from_str(RESPONSES).unwrap();
        assert!(recorded.contains_key("/me"));
        let url = Url::parse(&format!("{DEMO_SPOTIFY_URL}/me/tracks?limit=50&offset=0")).unwrap();
        assert_eq!(request_key(&Request::get(url, "x")), "/me/tracks?offset=0");
    }
}
