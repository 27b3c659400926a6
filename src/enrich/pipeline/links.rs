//! Phase 3: Spotify URL relationships, 100 URLs a request (albums → releases, artists →
//! artists, tracks → recordings).

use std::collections::{HashMap, HashSet};

use super::run::Run;
use crate::enrich::cache::{Cached, Kind};
use crate::enrich::error::EnrichError;
use crate::enrich::matcher::{Candidate, Evidence};
use crate::enrich::musicbrainz::{MbRelease, MbUrl, URL_BATCH};
use crate::model::{Library, MatchMethod};

pub(super) fn album_url(id: &str) -> String {
    format!("https://open.spotify.com/album/{id}")
}

pub(super) fn artist_url(id: &str) -> String {
    format!("https://open.spotify.com/artist/{id}")
}

impl Run<'_> {
    pub(super) async fn url_phase(&mut self, library: &Library) -> Result<(), EnrichError> {
        let mut wanted: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        let mut want = |url: String| {
            if seen.insert(url.clone()) {
                wanted.push(url);
            }
        };
        // An album whose release an earlier match already names needs neither its own link
        // nor its tracks' links: its tracklist answers them.
        let implied = self.album_releases();
        for t in self.tracks.iter().filter(|t| t.pending()) {
            let known = t.album_id.as_ref().is_some_and(|a| implied.contains_key(a));
            if !known {
                if let Some(url) = t.url() {
                    want(url);
                }
                if let Some(album) = &t.album_id {
                    want(album_url(album));
                }
            }
            for artist in &t.artist_ids {
                want(artist_url(artist));
            }
        }
        for saved in &library.saved_albums {
            want(album_url(&saved.album.id));
        }
        for artist in &library.followed_artists {
            want(artist_url(&artist.id));
        }
        let mut missing = Vec::new();
        for url in wanted {
            match self.cached::<MbUrl>(Kind::Url, &url)? {
                Some(hit) => {
                    self.urls.insert(url, hit);
                }
                None => missing.push(url),
            }
        }
        let batches: Vec<&[String]> = missing.chunks(URL_BATCH).collect();
        self.stage("MusicBrainz links", batches.len());
        for batch in batches {
            let found = self.mb.lookup_urls(batch).await?;
            let mut by_resource: HashMap<String, MbUrl> =
                found.into_iter().map(|u| (u.resource.clone(), u)).collect();
            let entries: Vec<(String, Cached<MbUrl>)> = batch
                .iter()
                .map(|r| (r.clone(), by_resource.remove(r)))
                .collect();
            self.cache.put_many(Kind::Url, &entries)?;
            self.urls.extend(entries);
            self.progress.advance(1);
        }
        self.stage_done();
        self.note_artist_mbids();
        for i in 0..self.tracks.len() {
            let t = &self.tracks[i];
            if !t.pending() {
                continue;
            }
            let Some(Some(url)) = t.url().and_then(|u| self.urls.get(&u)) else {
                continue;
            };
            let album_release = t
                .album_id
                .as_ref()
                .and_then(|a| self.single_release(&album_url(a)));
            let candidates: Vec<Candidate> = url
                .relations
                .iter()
                .filter_map(|r| r.recording.as_ref())
                .map(|rec| {
                    let mut cand = rec.to_candidate();
                    if let Some(release) = &album_release {
                        cand.releases = vec![release.as_candidate_release()];
                    }
                    cand
                })
                .collect();
            self.judge(
                i,
                &candidates,
                Evidence::SpotifyUrl,
                MatchMethod::SpotifyUrl,
            );
        }
        Ok(())
    }

    /// Puts the MusicBrainz artist linked to each Spotify artist (exactly one) into the
    /// queries of pending tracks, so candidates can be compared by artist MBID.
    fn note_artist_mbids(&mut self) {
        for t in self.tracks.iter_mut().filter(|t| t.pending()) {
            let mut mbids = Vec::new();
            for artist in &t.artist_ids {
                let Some(Some(url)) = self.urls.get(&artist_url(artist)) else {
                    continue;
                };
                let linked: HashSet<&str> = url
                    .relations
                    .iter()
                    .filter_map(|r| r.artist.as_ref().map(|a| a.id.as_str()))
                    .collect();
                if linked.len() == 1 {
                    mbids.extend(linked.into_iter().map(str::to_string));
                }
            }
            if !mbids.is_empty() {
                t.query.artist_mbids = mbids;
            }
        }
    }

    /// The one release a Spotify album URL is linked to (several links are ambiguous).
    pub(super) fn single_release(&self, url: &str) -> Option<MbRelease> {
        let url = self.urls.get(url)?.as_ref()?;
        let releases: Vec<&MbRelease> = url
            .relations
            .iter()
            .filter_map(|r| r.release.as_ref())
            .collect();
        match releases.as_slice() {
            [one] => Some((*one).clone()),
            many => {
                let first = many.first()?;
                many.iter()
                    .all(|r| r.id == first.id)
                    .then(|| (*first).clone())
            }
        }
    }
}
