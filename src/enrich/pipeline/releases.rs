//! Phase 4: one release lookup per Spotify album mapped to a release, matching its tracks by
//! tracklist; and the release each saved album ends up with.

use std::collections::{HashMap, HashSet};

use super::links::album_url;
use super::run::Run;
use crate::enrich::cache::Kind;
use crate::enrich::error::EnrichError;
use crate::enrich::matcher::{Candidate, Evidence};
use crate::enrich::musicbrainz::MbRelease;
use crate::model::{Library, MatchMethod, RecordingMatch, ReleaseMatch};

impl Run<'_> {
    pub(super) async fn release_phase(&mut self, library: &Library) -> Result<(), EnrichError> {
        // Albums with unmatched tracks, plus saved albums (whose release group we report).
        let mut album_ids: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        for t in self.tracks.iter().filter(|t| t.pending()) {
            if let Some(a) = &t.album_id {
                if seen.insert(a.clone()) {
                    album_ids.push(a.clone());
                }
            }
        }
        for saved in &library.saved_albums {
            if seen.insert(saved.album.id.clone()) {
                album_ids.push(saved.album.id.clone());
            }
        }
        let mut release_ids: Vec<String> = album_ids
            .iter()
            .filter_map(|a| self.single_release(&album_url(a)).map(|r| r.id))
            .collect();
        release_ids.sort();
        release_ids.dedup();
        let mut missing = Vec::new();
        for id in release_ids {
            match self.cached::<MbRelease>(Kind::Release, &id)? {
                Some(hit) => {
                    self.releases.insert(id, hit);
                }
                None => missing.push(id),
            }
        }
        self.stage("MusicBrainz releases", missing.len());
        for id in missing {
            let release = self.mb.lookup_release(&id).await?;
            self.cache
                .put_many(Kind::Release, &[(id.clone(), release.clone())])?;
            self.releases.insert(id, release);
            self.progress.advance(1);
        }
        self.stage_done();
        let mut candidates_by_album: HashMap<String, Vec<Candidate>> = HashMap::new();
        for i in 0..self.tracks.len() {
            let t = &self.tracks[i];
            if !t.pending() {
                continue;
            }
            let Some(album) = t.album_id.clone() else {
                continue;
            };
            if !candidates_by_album.contains_key(&album) {
                let cands = self
                    .single_release(&album_url(&album))
                    .and_then(|r| self.releases.get(&r.id).cloned().flatten())
                    .map(|r| r.track_candidates())
                    .unwrap_or_default();
                candidates_by_album.insert(album.clone(), cands);
            }
            let candidates = &candidates_by_album[&album];
            let candidates = candidates.clone();
            self.judge(
                i,
                &candidates,
                Evidence::ReleaseTracklist,
                MatchMethod::ReleaseTracklist,
            );
        }
        Ok(())
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
                    .or(release.release_group.clone());
                album.musicbrainz = Some(ReleaseMatch {
                    release_id: release.id.clone(),
                    release_group_id: group.map(|g| g.id).filter(|id| crate::ids::is_mbid(id)),
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
