//! A small simulated MusicBrainz WS/2 that answers `trackvault demo` from bundled CC0 data
//! (`fixtures/demo/musicbrainz.json`): recording search (ISRC batches, `reid:` release
//! tracklists, and title/artist phrases, several OR-ed clauses at a time), ISRC lookup, URL
//! lookup and release lookup, in the shapes the real service returns.

use std::sync::Arc;

use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{HttpResponse, Request, Transport};

const DATA: &str = include_str!("../../fixtures/demo/musicbrainz.json");

/// Base URL the demo's MusicBrainz client is pointed at; nothing is ever sent there.
pub const DEMO_MUSICBRAINZ_URL: &str = "http://demo.trackvault.invalid/ws/2";

/// The simulated catalogue: recordings, URL entities and releases in WS/2 shapes. Tests and
/// benchmarks build their own with `serde_json::from_value`.
#[derive(Deserialize, Default)]
pub struct Data {
    recordings: Vec<Value>,
    urls: Vec<Value>,
    releases: Vec<Value>,
}

/// A transport answering WS/2 requests from the bundled data.
pub fn transport() -> Transport {
    transport_with(serde_json::from_str(DATA).unwrap_or_default())
}

/// A transport answering WS/2 requests from `data`.
pub fn transport_with(data: Data) -> Transport {
    let data = Arc::new(data);
    Transport::Replay(Arc::new(move |req: &Request| answer(&data, req)))
}

/// Answers one WS/2 request from `data` (also used behind a wiremock server in tests).
pub fn answer(data: &Data, req: &Request) -> HttpResponse {
    let path = req.url.path();
    let path = path.split("/ws/2").nth(1).unwrap_or(path);
    let param = |name: &str| {
        req.url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["recording"] => {
            let query = param("query").unwrap_or_default();
            let offset: usize = param("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
            let limit: usize = param("limit").and_then(|v| v.parse().ok()).unwrap_or(25);
            let hits = search_recordings(data, &query);
            let count = hits.len();
            let page: Vec<Value> = hits.into_iter().skip(offset).take(limit).collect();
            ok(
                json!({"created": "2026-11-24T00:00:00.000Z", "count": count, "offset": offset, "recordings": page}),
            )
        }
        ["isrc", isrc] => {
            let recordings: Vec<Value> = data
                .recordings
                .iter()
                .filter(|r| has_isrc(r, isrc))
                .cloned()
                .collect();
            if recordings.is_empty() {
                not_found()
            } else {
                ok(json!({"isrc": isrc, "recordings": recordings}))
            }
        }
        ["url"] => {
            let wanted: Vec<String> = req
                .url
                .query_pairs()
                .filter(|(k, _)| k == "resource")
                .map(|(_, v)| v.into_owned())
                .collect();
            let urls: Vec<Value> = data
                .urls
                .iter()
                .filter(|u| wanted.iter().any(|w| u["resource"] == w.as_str()))
                .enumerate()
                .map(|(i, u)| {
                    let mut u = u.clone();
                    u["id"] = json!(format!("00000000-0000-4000-8000-{i:012}"));
                    u
                })
                .collect();
            if urls.is_empty() {
                not_found()
            } else if wanted.len() == 1 {
                // A single-resource lookup returns the URL entity itself, not a list.
                ok(urls[0].clone())
            } else {
                ok(json!({"url-count": urls.len(), "url-offset": 0, "urls": urls}))
            }
        }
        ["release", id] => data
            .releases
            .iter()
            .find(|r| r["id"] == *id)
            .map_or_else(not_found, |r| ok(r.clone())),
        _ => not_found(),
    }
}

fn has_isrc(recording: &Value, isrc: &str) -> bool {
    recording["isrcs"].as_array().is_some_and(|list| {
        list.iter()
            .any(|i| i.as_str().is_some_and(|i| i.eq_ignore_ascii_case(isrc)))
    })
}

/// ISRC batches (`isrc:(A OR B)`) match by ISRC; `reid:(A OR B)` returns the tracks of those
/// releases; anything else is one or more OR-ed clauses of a `recording:"…"` phrase with an
/// optional artist phrase or `arid:`.
fn search_recordings(data: &Data, query: &str) -> Vec<Value> {
    let lower = query.to_ascii_lowercase();
    let matches: Vec<Value> = if lower.contains("isrc:") {
        let isrcs = isrc_tokens(query);
        data.recordings
            .iter()
            .filter(|r| isrcs.iter().any(|i| has_isrc(r, i)))
            .cloned()
            .collect()
    } else if lower.starts_with("reid:") {
        tracklist_hits(data, &mbid_tokens(query))
    } else {
        let mut seen = std::collections::HashSet::new();
        clauses(query)
            .iter()
            .flat_map(|clause| {
                data.recordings
                    .iter()
                    .filter(move |r| clause_matches(clause, r))
            })
            .filter(|r| seen.insert(r["id"].to_string()))
            .cloned()
            .collect()
    };
    matches
        .into_iter()
        .map(|mut r| {
            r["score"] = json!(100);
            r
        })
        .collect()
}

/// `(a) OR (b)` → ["a", "b"]; a query without top-level parentheses is one clause.
fn clauses(query: &str) -> Vec<String> {
    let q = query.trim();
    if !q.starts_with('(') {
        return vec![q.to_string()];
    }
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    let mut in_quote = false;
    let mut chars = q.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                current.extend(chars.next());
                continue;
            }
            '"' => in_quote = !in_quote,
            '(' if !in_quote => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            ')' if !in_quote => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    out.push(std::mem::take(&mut current));
                    continue;
                }
            }
            _ => {}
        }
        if depth > 0 {
            current.push(c);
        }
    }
    out
}

fn clause_matches(clause: &str, r: &Value) -> bool {
    let title = phrase(clause, "recording").map(|t| loose(&t));
    let artist = phrase(clause, "artistname")
        .or_else(|| phrase(clause, "artist"))
        .map(|a| loose(&a));
    let arid = clause
        .find("arid:")
        .map(|at| mbid_tokens(&clause[at..]))
        .and_then(|ids| ids.into_iter().next());
    let credits = r["artist-credit"].as_array();
    let title_ok = title
        .as_ref()
        .is_some_and(|t| r["title"].as_str().is_some_and(|rt| loose(rt) == *t));
    let artist_ok = artist.as_ref().is_none_or(|a| {
        credits.is_some_and(|cs| {
            cs.iter()
                .any(|c| c["name"].as_str().is_some_and(|n| loose(n) == *a))
        })
    });
    let arid_ok = arid.as_ref().is_none_or(|id| {
        credits.is_some_and(|cs| cs.iter().any(|c| c["artist"]["id"] == id.as_str()))
    });
    title_ok && artist_ok && arid_ok
}

/// MBIDs in a query (hyphens may be escaped).
fn mbid_tokens(query: &str) -> Vec<String> {
    let plain = query.replace('\\', "");
    plain
        .split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .filter(|t| t.len() == 36 && t.matches('-').count() == 4)
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The recordings of releases `ids` as search hits: each carries the wanted releases it is
/// on, with the one medium and track (`track-offset`) it sits at. Releases come from the
/// catalogue's `releases` (lookup shape), else from releases embedded in recordings.
fn tracklist_hits(data: &Data, ids: &[String]) -> Vec<Value> {
    let mut order: Vec<String> = Vec::new();
    let mut hits: std::collections::HashMap<String, Value> = std::collections::HashMap::new();
    let mut add = |rec: &Value, release: Value| {
        let id = rec["id"].as_str().unwrap_or_default().to_string();
        let hit = hits.entry(id.clone()).or_insert_with(|| {
            order.push(id);
            let mut r = rec.clone();
            r["releases"] = json!([]);
            r
        });
        if let Some(list) = hit["releases"].as_array_mut() {
            list.push(release);
        }
    };
    for id in ids {
        if let Some(release) = data.releases.iter().find(|r| r["id"] == id.as_str()) {
            let media = release["media"].as_array().cloned().unwrap_or_default();
            let total: usize = media
                .iter()
                .map(|m| m["tracks"].as_array().map_or(0, Vec::len))
                .sum();
            for (mi, medium) in media.iter().enumerate() {
                let tracks = medium["tracks"].as_array().cloned().unwrap_or_default();
                for (ti, track) in tracks.iter().enumerate() {
                    let Some(rec) = track.get("recording") else {
                        continue;
                    };
                    let embedded = json!({
                        "id": release["id"], "title": release["title"], "status": release["status"],
                        "date": release["date"], "release-group": release["release-group"],
                        "track-count": total,
                        "media": [{
                            "position": medium["position"].as_u64().unwrap_or(mi as u64 + 1),
                            "format": medium["format"], "track-count": tracks.len(), "track-offset": ti,
                            "track": [{"id": track["id"], "number": track["number"], "title": track["title"], "length": track["length"]}]
                        }]
                    });
                    add(rec, embedded);
                }
            }
        } else {
            for rec in &data.recordings {
                let on: Vec<Value> = rec["releases"]
                    .as_array()
                    .map(|rs| {
                        rs.iter()
                            .filter(|r| r["id"] == id.as_str())
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                for release in on {
                    add(rec, release);
                }
            }
        }
    }
    order
        .into_iter()
        .filter_map(|id| hits.remove(&id))
        .collect()
}

fn isrc_tokens(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| {
            t.len() == 12
                && t[..2].chars().all(|c| c.is_ascii_alphabetic())
                && t[5..].chars().all(|c| c.is_ascii_digit())
        })
        .map(str::to_ascii_uppercase)
        .collect()
}

/// The value of `field:"…"` (Lucene phrase), unescaped.
fn phrase(query: &str, field: &str) -> Option<String> {
    let start = query.find(&format!("{field}:\""))? + field.len() + 2;
    let mut value = String::new();
    let mut chars = query[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.extend(chars.next()),
            '"' => return Some(value),
            c => value.push(c),
        }
    }
    None
}

/// Lowercase letters and digits only: enough for the demo's exact-title lookups.
fn loose(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn ok(body: Value) -> HttpResponse {
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        "application/json".parse().expect("static header"),
    );
    HttpResponse {
        status: 200,
        headers,
        body: body.to_string().into_bytes(),
    }
}

fn not_found() -> HttpResponse {
    HttpResponse {
        status: 404,
        headers: HeaderMap::new(),
        body: br#"{"error":"Not Found","help":"For usage, please see: https://musicbrainz.org/development/mmd"}"#.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    fn get(data: &Data, path_and_query: &str) -> (u16, Value) {
        let url = Url::parse(&format!("{DEMO_MUSICBRAINZ_URL}{path_and_query}")).unwrap();
        let resp = answer(data, &Request::get(url, "t"));
        (resp.status, serde_json::from_slice(&resp.body).unwrap())
    }

    #[test]
    fn answers_isrc_batches_phrases_urls_and_releases() {
        let data: Data = serde_json::from_str(DATA).unwrap();
        let (status, body) = get(&data, "/recording?query=isrc%3A(GBAHS1100095%20OR%20gbahs1400099%20OR%20USMA20215185)&fmt=json");
        assert_eq!(status, 200);
        assert_eq!(body["count"], 2);
        let (_, body) = get(&data, "/recording?query=recording%3A%22an%20ocean%20in%20between%20the%20waves%22%20AND%20artistname%3A%22The%20War%20on%20Drugs%22");
        assert_eq!(
            body["recordings"][0]["id"],
            "5fbaab56-3904-40fe-9ef2-be59a16c86be"
        );
        let (_, body) = get(&data, "/recording?query=recording%3A%22an%20ocean%22%20AND%20artistname%3A%22Someone%20Else%22");
        assert_eq!(body["count"], 0);
        let (status, _) = get(&data, "/isrc/XXAAA0000000");
        assert_eq!(status, 404);
        let (status, body) = get(
            &data,
            "/release/94ad3a58-a1cc-46a3-acf4-9cb6c1d6f032?inc=recordings",
        );
        assert_eq!(status, 200);
        assert_eq!(body["media"][0]["tracks"].as_array().unwrap().len(), 12);
    }

    #[test]
    fn answers_tracklist_searches_and_or_ed_clauses() {
        let data: Data = serde_json::from_str(DATA).unwrap();
        let (_, body) = get(
            &data,
            "/recording?query=reid%3A(94ad3a58%5C-a1cc%5C-46a3%5C-acf4%5C-9cb6c1d6f032)&limit=100",
        );
        assert_eq!(body["count"], 12);
        let hit = &body["recordings"][2];
        let medium = &hit["releases"][0]["media"][0];
        assert_eq!(medium["track-offset"], 2, "{hit}");
        assert_eq!(medium["track"].as_array().unwrap().len(), 1);
        let (_, body) = get(&data, "/recording?query=(recording%3A%22an%20ocean%20in%20between%20the%20waves%22%20AND%20artistname%3A%22The%20War%20on%20Drugs%22)%20OR%20(recording%3A%22thinking%20out%20loud%22%20AND%20artistname%3A%22Ed%20Sheeran%22)");
        assert_eq!(body["count"], 2, "{body}");
    }
}
