//! Phase 4: release-level inference. A Spotify album's release is known from its Spotify
//! link or from any of its tracks already matched on a release of the same title; the
//! tracklists of those releases are fetched many at a time (`reid:(A OR B …)` recording
//! searches, whose hits carry their disc and position) and the album's other tracks matched
//! against them. Also: the release each saved album ends up with.

use std::collections::{HashMap, HashSet};

use super::links::album_url;
use super::run::Run;
use crate::enrich::cache::{Cached, Kind};
use crate::enrich::error::EnrichError;
use crate::enrich::matcher::{album_titles_agree, Evidence};
use crate::enrich::musicbrainz::{tracklists_from_hits, MbRelease, SEARCH_LIMIT};
use crate::model::{Library, MatchMethod, RecordingMatch, ReleaseMatch};

/// Tracks assumed on a release whose track count is unknown (for sizing batches).
const ASSUMED_TRACKS: u32 = 15;
/// Releases per `reid` search at most (each id is ~40 characters of query).
const MAX_RELEASES_PER_SEARCH: usize = 25;

impl Run<'_> {
    /// Spotify album id → MusicBrainz release id: the album's Spotify link when it names one
    /// release, else the one release its matched tracks agree on (and whose title is the
    /// album's).
    pub(super) fn album_releases(&self) -> HashMap<String, String> {
        let mut from_tracks: HashMap<String, Option<String>> = HashMap::new();
        for t in &self.tracks {
            let (Some(album), Some(m)) = (&t.album_id, &t.result) else {
                continue;
            };
            if m.method == MatchMethod::Override {
                continue;
            }
            let Some(rid) = &m.release_id else { continue };
            let Some(name) = &t.query.album else { continue };
            let titled = match &t.best {
                Some((cand, _)) => cand
                    .releases
                    .iter()
                    .any(|r| &r.id == rid && album_titles_agree(name, &r.title)),
                // A match kept from an earlier run: its release counts when that run already
                // read its tracklist (so a rerun asks nothing new).
                None => self.tracklist_known(rid),
            };
            if !titled {
                continue;
            }
            from_tracks
                .entry(album.clone())
                .and_modify(|known| {
                    if known.as_deref() != Some(rid.as_str()) {
                        *known = None;
                    }
                })
                .or_insert_with(|| Some(rid.clone()));
        }
        let mut out: HashMap<String, String> = from_tracks
            .into_iter()
            .filter_map(|(album, rid)| Some((album, rid?)))
            .collect();
        let albums: HashSet<&String> = self
            .tracks
            .iter()
            .filter_map(|t| t.album_id.as_ref())
            .collect();
        for album in albums {
            if let Some(r) = self.single_release(&album_url(album)) {
                out.insert(album.clone(), r.id);
            }
        }
        out
    }

    pub(super) async fn release_phase(&mut self, library: &Library) -> Result<(), EnrichError> {
        let by_album = self.album_releases();
        // Releases of albums with unmatched tracks, plus linked saved albums (whose release
        // group we report).
        let mut wanted: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        for t in self.tracks.iter().filter(|t| t.pending()) {
            if let Some(r) = t.album_id.as_ref().and_then(|a| by_album.get(a)) {
                if seen.insert(r.clone()) {
                    wanted.push(r.clone());
                }
            }
        }
        // A matched track on that release already names its release group.
        let grouped: HashSet<&str> = self
            .tracks
            .iter()
            .filter_map(|t| t.result.as_ref())
            .filter(|m| m.release_group_id.is_some())
            .filter_map(|m| m.release_id.as_deref())
            .collect();
        let mut for_groups = Vec::new();
        for saved in &library.saved_albums {
            if let Some(r) = self.single_release(&album_url(&saved.album.id)) {
                if !grouped.contains(r.id.as_str()) && seen.insert(r.id.clone()) {
                    for_groups.push(r.id);
                }
            }
        }
        wanted.extend(for_groups);
        let mut missing = Vec::new();
        for id in wanted {
            if self.releases.contains_key(&id) {
                continue;
            }
            match self.cached::<MbRelease>(Kind::Release, &id)? {
                Some(hit) => {
                    self.releases.insert(id, hit);
                }
                None => missing.push(id),
            }
        }
        let hints = self.track_count_hints();
        let batches = release_batches(&missing, &hints);
        self.stage("MusicBrainz tracklists", batches.len());
        for batch in batches {
            let hits = self.mb.search_tracklists(&batch).await?;
            let mut found = tracklists_from_hits(&hits, &batch);
            let entries: Vec<(String, Cached<MbRelease>)> = batch
                .iter()
                .map(|id| (id.clone(), found.remove(id)))
                .collect();
            self.cache.put_many(Kind::Release, &entries)?;
            self.releases.extend(entries);
            self.progress.advance(1);
        }
        self.stage_done();
        let mut candidates_by_release = HashMap::new();
        for i in 0..self.tracks.len() {
            let t = &self.tracks[i];
            if !t.pending() {
                continue;
            }
            let Some(rid) = t.album_id.as_ref().and_then(|a| by_album.get(a)) else {
                continue;
            };
            let candidates = candidates_by_release
                .entry(rid.clone())
                .or_insert_with(|| {
                    self.releases
                        .get(rid)
                        .cloned()
                        .flatten()
                        .map(|r| r.track_candidates())
                        .unwrap_or_default()
                })
                .clone();
            self.judge(
                i,
                &candidates,
                Evidence::ReleaseTracklist,
                MatchMethod::ReleaseTracklist,
            );
        }
        Ok(())
    }

    /// Whether the tracklist of release `id` was read in this run or an earlier one.
    fn tracklist_known(&self, id: &str) -> bool {
        self.releases.contains_key(id)
            || matches!(
                self.cache.get::<serde_json::Value>(Kind::Release, id),
                Ok(Some(_))
            )
    }

    /// The release group a matched track on release `id` names.
    fn group_from_tracks(&self, id: &str) -> Option<String> {
        self.tracks
            .iter()
            .filter_map(|t| t.result.as_ref())
            .filter(|m| m.release_id.as_deref() == Some(id))
            .find_map(|m| m.release_group_id.clone())
    }

    /// Track counts known for releases (from Spotify links and from candidates seen so far).
    fn track_count_hints(&self) -> HashMap<String, u32> {
        let mut hints = HashMap::new();
        for url in self.urls.values().flatten() {
            for r in url.relations.iter().filter_map(|r| r.release.as_ref()) {
                if let Some(n) = r.total_tracks() {
                    hints.insert(r.id.clone(), n);
                }
            }
        }
        for t in &self.tracks {
            for (cand, _) in t.best.iter().chain(t.alternatives.iter()) {
                for r in &cand.releases {
                    if let Some(n) = r.track_count {
                        hints.insert(r.id.clone(), n);
                    }
                }
            }
        }
        hints
    }

    pub(super) fn apply_albums(&self, library: &mut Library) -> (usize, usize) {
        let mut matched = 0;
        for saved in &mut library.saved_albums {
            let album = &mut saved.album;
            // A release id from an answer that is not an MBID is never recorded (`crate::ids`).
            let linked = self
                .single_release(&album_url(&album.id))
                .filter(|r| crate::ids::is_mbid(&r.id));
            if let Some(release) = linked {
                let group = self
                    .releases
                    .get(&release.id)
                    .cloned()
                    .flatten()
                    .and_then(|r| r.release_group)
                    .or(release.release_group.clone())
                    .map(|g| g.id)
                    .or_else(|| self.group_from_tracks(&release.id));
                album.musicbrainz = Some(ReleaseMatch {
                    release_id: release.id.clone(),
                    release_group_id: group.filter(|id| crate::ids::is_mbid(id)),
                    method: MatchMethod::SpotifyUrl,
                    confidence: 1.0,
                });
                matched += 1;
            } else if let Some(found) = release_from_tracks(album) {
                album.musicbrainz = Some(found);
                matched += 1;
            } else if album.musicbrainz.is_some() {
                matched += 1;
            }
        }
        (matched, library.saved_albums.len())
    }
}

/// A saved album without a Spotify link gets a release when at least half of its tracks matched
/// and every matched track landed on that same release; as sure as the weakest of them.
fn release_from_tracks(album: &crate::model::Album) -> Option<ReleaseMatch> {
    let matches: Vec<&RecordingMatch> = album
        .tracks
        .iter()
        .filter_map(|t| t.musicbrainz.as_ref())
        .filter(|m| m.method != MatchMethod::Override)
        .collect();
    let first = matches.first()?;
    let release_id = first.release_id.clone()?;
    let agree = matches
        .iter()
        .all(|m| m.release_id.as_deref() == Some(release_id.as_str()));
    if !agree || matches.len() * 2 < album.tracks.len() {
        return None;
    }
    Some(ReleaseMatch {
        release_id,
        release_group_id: first.release_group_id.clone(),
        method: first.method,
        confidence: matches.iter().map(|m| m.confidence).fold(1.0, f64::min),
    })
}

/// Groups release ids so that each `reid` search should fit one page of hits.
fn release_batches(ids: &[String], hints: &HashMap<String, u32>) -> Vec<Vec<String>> {
    let mut batches: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut tracks = 0u32;
    for id in ids {
        let n = hints.get(id).copied().unwrap_or(ASSUMED_TRACKS).max(1);
        let full = tracks + n > SEARCH_LIMIT as u32 || current.len() >= MAX_RELEASES_PER_SEARCH;
        if full && !current.is_empty() {
            batches.push(std::mem::take(&mut current));
            tracks = 0;
        }
        current.push(id.clone());
        tracks += n;
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_batches_fill_a_page_of_hits() {
        let ids: Vec<String> = (0..12).map(|i| format!("r{i}")).collect();
        let mut hints = HashMap::new();
        for id in &ids {
            hints.insert(id.clone(), 10);
        }
        hints.insert("r0".into(), 150);
        let b = release_batches(&ids, &hints);
        assert_eq!(b[0], vec!["r0".to_string()], "a big release goes alone");
        assert_eq!(b[1].len(), 10);
        assert_eq!(b[2].len(), 1);
        let unknown = release_batches(&ids, &HashMap::new());
        assert!(unknown.iter().all(|b| b.len() <= 6));
    }
}
