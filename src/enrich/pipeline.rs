//! The enrichment stage over a [`Library`]: cheapest evidence first, each phase only looking at
//! what the previous ones left unmatched.
//!
//! 1. overrides (no request),
//! 2. batched ISRC search (`isrc:(A OR B …)`, up to 100 ISRCs a request),
//! 3. Spotify URL relationships, 100 URLs a request (albums → releases, artists → artists,
//!    tracks → recordings),
//! 4. one release lookup per Spotify album mapped to a release, matching its tracks by tracklist,
//! 5. one fuzzy search per remaining track.
//!
//! A track appearing in many playlists is looked up once (keyed by Spotify id). Every lookup
//! goes through the [`Cache`] first and is stored there as soon as its batch completes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use super::cache::{Cache, Cached, Kind};
use super::error::EnrichError;
use super::matcher::{decide, score, Candidate, Decision, Evidence, TrackQuery};
use super::musicbrainz::{
    fuzzy_query, isrc_query, MbRecording, MbRelease, MbUrl, MusicBrainz, URL_BATCH,
};
use super::normalize::{normalize_artist, normalize_isrc, normalize_title};
use super::overrides::{Override, Overrides};
use super::review::ReviewRow;
use super::summary::EnrichSummary;
use crate::model::{
    AlbumRef, ArtistMatch, Item, Library, MatchMethod, RecordingMatch, ReleaseMatch,
};
use crate::progress::ProgressHandle;

/// ISRCs per batched search; also bounded by [`MAX_QUERY_CHARS`].
pub const ISRC_BATCH: usize = 100;
/// Longest Lucene query sent in one URL (100 ISRCs ≈ 1.6 KB, well under gateway limits).
const MAX_QUERY_CHARS: usize = 4000;
/// Candidates listed per track in the review file.
pub const REVIEW_CANDIDATES: usize = 3;
/// Hits asked for in a fuzzy search.
const SEARCH_HITS: usize = 10;

/// How an enrichment run behaves.
#[derive(Debug, Clone)]
pub struct EnrichOptions {
    /// Ignore cached lookups (results are still written to the cache).
    pub refresh: bool,
    pub overrides: Overrides,
    /// Matches below this confidence are listed for review.
    pub review_below: f64,
}

impl Default for EnrichOptions {
    fn default() -> Self {
        EnrichOptions {
            refresh: false,
            overrides: Overrides::default(),
            review_below: 0.9,
        }
    }
}

/// One distinct track of the library and what enrichment found for it.
struct Track {
    spotify_id: Option<String>,
    album_id: Option<String>,
    query: TrackQuery,
    isrc: Option<String>,
    result: Option<RecordingMatch>,
    /// ISRC learned from MusicBrainz for a track Spotify gave none.
    mb_isrc: Option<String>,
    /// Best candidate seen in any phase, for review.
    best: Option<(Candidate, f64)>,
    /// The highest-scoring candidates seen (at most [`REVIEW_CANDIDATES`]), for review.
    alternatives: Vec<(Candidate, f64)>,
    /// Overridden (to a recording or to `none`): no lookup.
    settled: bool,
}

impl Track {
    fn pending(&self) -> bool {
        !self.settled && self.result.is_none()
    }

    fn url(&self) -> Option<String> {
        self.spotify_id
            .as_ref()
            .map(|id| format!("https://open.spotify.com/track/{id}"))
    }
}

fn album_url(id: &str) -> String {
    format!("https://open.spotify.com/album/{id}")
}

fn artist_url(id: &str) -> String {
    format!("https://open.spotify.com/artist/{id}")
}

/// The state of one run, phase by phase.
struct Run<'a> {
    mb: &'a MusicBrainz,
    cache: &'a Cache,
    opts: &'a EnrichOptions,
    progress: ProgressHandle,
    tracks: Vec<Track>,
    /// Spotify URL → linked URL entity (None: MusicBrainz has no such link).
    urls: HashMap<String, Option<MbUrl>>,
    releases: HashMap<String, Option<MbRelease>>,
    cache_hits: u64,
    /// Whether a progress stage is open.
    staged: bool,
}

/// Enriches `library` in place and returns what happened.
pub async fn enrich_library(
    library: &mut Library,
    mb: &MusicBrainz,
    cache: &Cache,
    opts: &EnrichOptions,
    progress: ProgressHandle,
) -> Result<EnrichSummary, EnrichError> {
    let started = Instant::now();
    let before = mb.request_counts();
    let (tracks, index) = collect_tracks(library, &opts.overrides, opts.refresh);
    let mut run = Run {
        mb,
        cache,
        opts,
        progress,
        tracks,
        urls: HashMap::new(),
        releases: HashMap::new(),
        cache_hits: 0,
        staged: false,
    };
    run.isrc_phase().await?;
    run.url_phase(library).await?;
    run.release_phase(library).await?;
    run.search_phase().await?;

    apply_tracks(library, &run.tracks, &index);
    let (albums_matched, albums) = run.apply_albums(library);
    let (artists_matched, artists) = run.apply_artists(library);

    let mut requests = mb.request_counts();
    for (label, n) in before.0 {
        if let Some(count) = requests.0.get_mut(&label) {
            *count = count.saturating_sub(n);
        }
    }
    requests.0.retain(|_, n| *n > 0);
    let mut by_method = BTreeMap::new();
    let mut unmatched = 0;
    let mut excluded = 0;
    for t in &run.tracks {
        match &t.result {
            Some(m) => {
                *by_method
                    .entry(method_name(m.method).to_string())
                    .or_insert(0) += 1
            }
            None if t.settled => excluded += 1,
            None => unmatched += 1,
        }
    }
    Ok(EnrichSummary {
        tracks: run.tracks.len(),
        by_method,
        unmatched,
        excluded,
        albums,
        albums_matched,
        artists,
        artists_matched,
        cache_hits: run.cache_hits,
        requests,
        elapsed: started.elapsed(),
        needs_review: run
            .tracks
            .iter()
            .filter(|t| needs_review(t, opts.review_below))
            .count(),
        review: review_rows(&run.tracks, opts.review_below),
    })
}

/// The summary label of a method, as library.json spells it.
pub fn method_name(method: MatchMethod) -> &'static str {
    match method {
        MatchMethod::Isrc => "isrc",
        MatchMethod::SpotifyUrl => "spotify_url",
        MatchMethod::ReleaseTracklist => "release_tracklist",
        MatchMethod::Search => "search",
        MatchMethod::Override => "override",
    }
}

/// Distinct tracks (by Spotify id, or URI for local files) and, per key, their index.
fn collect_tracks(
    library: &Library,
    overrides: &Overrides,
    refresh: bool,
) -> (Vec<Track>, HashMap<String, usize>) {
    let mut tracks: Vec<Track> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut add = |item: &Item, album: Option<(&str, &str, Option<&str>, Option<u32>)>| {
        if item.item_type != "track" {
            return;
        }
        let key = item_key(item);
        let isrc = item.isrc.as_deref().and_then(normalize_isrc);
        if let Some(&i) = index.get(&key) {
            // Another occurrence may know more (saved-album tracks carry no ISRC).
            let t = &mut tracks[i];
            if t.isrc.is_none() && isrc.is_some() {
                t.isrc = isrc.clone();
                t.query.isrc = isrc;
            }
            return;
        }
        let mut item = item.clone();
        if let Some((id, name, date, _)) = album {
            item.album = Some(AlbumRef {
                id: Some(id.to_string()),
                name: name.to_string(),
                release_date: date.map(str::to_string),
            });
        }
        let mut query = TrackQuery::from_item(&item);
        query.isrc = isrc.clone();
        if let Some((_, _, _, Some(total))) = album {
            query.album_track_count = Some(total);
        }
        let mut track = Track {
            spotify_id: item.id.clone(),
            album_id: item.album.as_ref().and_then(|a| a.id.clone()),
            query,
            isrc,
            result: None,
            mb_isrc: None,
            best: None,
            alternatives: Vec::new(),
            settled: false,
        };
        let choice = item.id.as_deref().and_then(|id| overrides.get(id));
        match choice {
            Some(Override::Recording(mbid)) => {
                track.result = Some(override_match(mbid));
                track.settled = true;
            }
            Some(Override::None) => track.settled = true,
            // A decision made by the user earlier survives runs without the file; any other
            // earlier match (e.g. carried over from the previous snapshot) is kept unless
            // `--refresh`, so results stay stable and an ISRC learned from MusicBrainz is never
            // used as evidence for the match it came from.
            None => match item.musicbrainz.as_ref() {
                Some(m) if m.method == MatchMethod::Override => {
                    track.result = Some(m.clone());
                    track.settled = true;
                }
                Some(m) if !refresh => track.result = Some(m.clone()),
                _ => {}
            },
        }
        index.insert(key, tracks.len());
        tracks.push(track);
    };
    for entry in library
        .liked_tracks
        .iter()
        .chain(library.playlists.iter().flat_map(|p| p.entries.iter()))
    {
        if let Some(item) = &entry.item {
            add(item, None);
        }
    }
    for saved in &library.saved_albums {
        let a = &saved.album;
        for item in &a.tracks {
            add(
                item,
                Some((&a.id, &a.name, a.release_date.as_deref(), a.total_tracks)),
            );
        }
    }
    (tracks, index)
}

fn item_key(item: &Item) -> String {
    item.id.clone().unwrap_or_else(|| item.uri.clone())
}

fn override_match(mbid: &str) -> RecordingMatch {
    RecordingMatch {
        recording_id: mbid.to_string(),
        release_id: None,
        release_group_id: None,
        artist_ids: Vec::new(),
        method: MatchMethod::Override,
        confidence: 1.0,
    }
}

impl Run<'_> {
    /// Starts a progress stage counting requests; stages with nothing to send stay silent.
    fn stage(&mut self, name: &str, requests: usize) {
        self.staged = requests > 0;
        if self.staged {
            self.progress.start(name, Some(requests as u64));
        }
    }

    fn stage_done(&mut self) {
        if std::mem::take(&mut self.staged) {
            self.progress.finish();
        }
    }

    /// A cached lookup, unless `--refresh`.
    fn cached<T: serde::de::DeserializeOwned>(
        &mut self,
        kind: Kind,
        key: &str,
    ) -> Result<Option<Cached<T>>, EnrichError> {
        if self.opts.refresh {
            return Ok(None);
        }
        let got = self.cache.get(kind, key)?;
        if got.is_some() {
            self.cache_hits += 1;
        }
        Ok(got)
    }

    /// Runs the matcher for track `i` and records a match or the best candidate.
    fn judge(
        &mut self,
        i: usize,
        candidates: &[Candidate],
        evidence: Evidence,
        method: MatchMethod,
    ) {
        if candidates.is_empty() {
            return;
        }
        let track = &mut self.tracks[i];
        match decide(&track.query, candidates, evidence) {
            Decision::Matched {
                index,
                confidence,
                release,
            } => {
                let cand = &candidates[index];
                let release = release.and_then(|r| cand.releases.get(r));
                track.result = Some(RecordingMatch {
                    recording_id: cand.recording_id.clone(),
                    release_id: release.map(|r| r.id.clone()),
                    release_group_id: release.and_then(|r| r.release_group_id.clone()),
                    artist_ids: cand.artists.iter().map(|a| a.id.clone()).collect(),
                    method,
                    confidence,
                });
                if track.isrc.is_none() {
                    let isrcs: HashSet<String> = cand
                        .isrcs
                        .iter()
                        .filter_map(|i| normalize_isrc(i))
                        .collect();
                    if isrcs.len() == 1 {
                        track.mb_isrc = isrcs.into_iter().next();
                    }
                }
                track.best = Some((cand.clone(), confidence));
            }
            Decision::Unmatched { best } => {
                if let Some((index, score)) = best {
                    if track.best.as_ref().is_none_or(|(_, s)| score > *s) {
                        track.best = Some((candidates[index].clone(), score));
                    }
                }
            }
        }
        let doubtful = track
            .result
            .as_ref()
            .is_none_or(|m| m.confidence < self.opts.review_below);
        if doubtful {
            remember_alternatives(track, candidates, evidence);
        }
    }

    async fn isrc_phase(&mut self) -> Result<(), EnrichError> {
        let mut wanted: Vec<String> = self
            .tracks
            .iter()
            .filter(|t| t.pending())
            .filter_map(|t| t.isrc.clone())
            .collect();
        wanted.sort();
        wanted.dedup();
        let mut found: HashMap<String, Vec<MbRecording>> = HashMap::new();
        let mut missing = Vec::new();
        for isrc in wanted {
            match self.cached::<Vec<MbRecording>>(Kind::Isrc, &isrc)? {
                Some(hit) => {
                    found.insert(isrc, hit.unwrap_or_default());
                }
                None => missing.push(isrc),
            }
        }
        let batches = isrc_batches(&missing);
        self.stage("MusicBrainz ISRCs", batches.len());
        for batch in batches {
            let recordings = self.mb.search_isrcs(&batch).await?;
            let mut by_isrc: HashMap<String, Vec<MbRecording>> = HashMap::new();
            for rec in recordings {
                let isrcs: HashSet<String> =
                    rec.isrcs.iter().filter_map(|i| normalize_isrc(i)).collect();
                for isrc in isrcs {
                    if batch.contains(&isrc) {
                        by_isrc.entry(isrc).or_default().push(rec.clone());
                    }
                }
            }
            let entries: Vec<(String, Cached<Vec<MbRecording>>)> = batch
                .iter()
                .map(|i| (i.clone(), by_isrc.get(i).cloned()))
                .collect();
            self.cache.put_many(Kind::Isrc, &entries)?;
            for (isrc, recs) in entries {
                found.insert(isrc, recs.unwrap_or_default());
            }
            self.progress.advance(1);
        }
        self.stage_done();
        for i in 0..self.tracks.len() {
            let t = &self.tracks[i];
            if !t.pending() {
                continue;
            }
            let Some(recs) = t.isrc.as_ref().and_then(|isrc| found.get(isrc)) else {
                continue;
            };
            let candidates: Vec<Candidate> = recs.iter().map(MbRecording::to_candidate).collect();
            self.judge(i, &candidates, Evidence::Isrc, MatchMethod::Isrc);
        }
        Ok(())
    }

    async fn url_phase(&mut self, library: &Library) -> Result<(), EnrichError> {
        let mut wanted: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        let mut want = |url: String| {
            if seen.insert(url.clone()) {
                wanted.push(url);
            }
        };
        for t in self.tracks.iter().filter(|t| t.pending()) {
            if let Some(url) = t.url() {
                want(url);
            }
            if let Some(album) = &t.album_id {
                want(album_url(album));
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

    /// The one release a Spotify album URL is linked to (several links are ambiguous).
    fn single_release(&self, url: &str) -> Option<MbRelease> {
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

    async fn release_phase(&mut self, library: &Library) -> Result<(), EnrichError> {
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

    async fn search_phase(&mut self) -> Result<(), EnrichError> {
        let pending: Vec<usize> = (0..self.tracks.len())
            .filter(|&i| self.tracks[i].pending())
            .collect();
        // Look up from the cache first so the progress bar counts real requests only.
        let mut work: Vec<(usize, String, String)> = Vec::new();
        let mut answered: Vec<(usize, Vec<MbRecording>)> = Vec::new();
        for i in pending {
            let Some((key, query)) = search_key(&self.tracks[i].query) else {
                continue;
            };
            match self.cached::<Vec<MbRecording>>(Kind::Search, &key)? {
                Some(hit) => answered.push((i, hit.unwrap_or_default())),
                None => work.push((i, key, query)),
            }
        }
        self.stage("MusicBrainz search", work.len());
        // Identical queries (same song on two albums) are sent once.
        let mut sent: HashMap<String, Vec<MbRecording>> = HashMap::new();
        for (i, key, query) in work {
            let recs = match sent.get(&key) {
                Some(recs) => recs.clone(),
                None => {
                    let page = self
                        .mb
                        .search_recordings(&query, SEARCH_HITS, 0, super::musicbrainz::LABEL_SEARCH)
                        .await?;
                    let recs = page.recordings;
                    let value = (!recs.is_empty()).then(|| recs.clone());
                    self.cache.put_many(Kind::Search, &[(key.clone(), value)])?;
                    sent.insert(key, recs.clone());
                    recs
                }
            };
            answered.push((i, recs));
            self.progress.advance(1);
        }
        self.stage_done();
        for (i, recs) in answered {
            let candidates: Vec<Candidate> = recs.iter().map(MbRecording::to_candidate).collect();
            self.judge(i, &candidates, Evidence::Search, MatchMethod::Search);
        }
        Ok(())
    }

    fn apply_albums(&self, library: &mut Library) -> (usize, usize) {
        let mut matched = 0;
        for saved in &mut library.saved_albums {
            let album = &mut saved.album;
            if let Some(release) = self.single_release(&album_url(&album.id)) {
                let group = self
                    .releases
                    .get(&release.id)
                    .cloned()
                    .flatten()
                    .and_then(|r| r.release_group)
                    .or(release.release_group.clone());
                album.musicbrainz = Some(ReleaseMatch {
                    release_id: release.id.clone(),
                    release_group_id: group.map(|g| g.id),
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

    fn apply_artists(&self, library: &mut Library) -> (usize, usize) {
        // Fallback evidence: matched recordings credit an artist of the same name.
        let mut from_tracks: HashMap<String, (HashSet<String>, MatchMethod, f64)> = HashMap::new();
        for t in &self.tracks {
            let (Some(m), Some((cand, _))) = (&t.result, &t.best) else {
                continue;
            };
            if m.method == MatchMethod::Override {
                continue;
            }
            for name in &t.query.artists {
                let wanted = normalize_artist(name);
                for a in cand
                    .artists
                    .iter()
                    .filter(|a| normalize_artist(&a.name) == wanted)
                {
                    let entry = from_tracks
                        .entry(wanted.clone())
                        .or_insert_with(|| (HashSet::new(), m.method, m.confidence));
                    entry.0.insert(a.id.clone());
                    entry.2 = entry.2.min(m.confidence);
                }
            }
        }
        let mut matched = 0;
        for artist in &mut library.followed_artists {
            let linked: Vec<String> = self
                .urls
                .get(&artist_url(&artist.id))
                .cloned()
                .flatten()
                .map(|u| u.targets())
                .unwrap_or_default();
            let by_name = from_tracks.get(&normalize_artist(&artist.name));
            let found = match (linked.as_slice(), by_name) {
                ([one], _) => Some((one.clone(), MatchMethod::SpotifyUrl, 1.0)),
                // Same name on a matched track's credit: as sure as the weakest such match.
                ([], Some((ids, method, confidence))) if ids.len() == 1 => ids
                    .iter()
                    .next()
                    .map(|id| (id.clone(), *method, *confidence)),
                _ => None,
            };
            if let Some((artist_id, method, confidence)) = found {
                artist.musicbrainz = Some(ArtistMatch {
                    artist_id,
                    method,
                    confidence,
                });
            }
            if artist.musicbrainz.is_some() {
                matched += 1;
            }
        }
        (matched, library.followed_artists.len())
    }
}

/// Keeps the best-scoring distinct candidates across phases for the review file.
fn remember_alternatives(track: &mut Track, candidates: &[Candidate], evidence: Evidence) {
    for cand in candidates {
        let total = score(&track.query, cand, evidence).total;
        match track
            .alternatives
            .iter_mut()
            .find(|(c, _)| c.recording_id == cand.recording_id)
        {
            Some(seen) => seen.1 = seen.1.max(total),
            None => track.alternatives.push((cand.clone(), total)),
        }
    }
    track.alternatives.sort_by(|a, b| b.1.total_cmp(&a.1));
    track.alternatives.truncate(REVIEW_CANDIDATES);
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

/// Batches of at most [`ISRC_BATCH`] ISRCs whose query stays under [`MAX_QUERY_CHARS`].
pub fn isrc_batches(isrcs: &[String]) -> Vec<Vec<String>> {
    let mut batches: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for isrc in isrcs {
        current.push(isrc.clone());
        if current.len() > ISRC_BATCH || isrc_query(&current).len() > MAX_QUERY_CHARS {
            let last = current.pop().expect("just pushed");
            batches.push(std::mem::take(&mut current));
            current.push(last);
        }
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

/// The cache key (normalized title, artist, duration in seconds) and the Lucene query.
fn search_key(q: &TrackQuery) -> Option<(String, String)> {
    let title = normalize_title(&q.title);
    if title.trim().is_empty() {
        return None;
    }
    let artist = q.artists.first().map(String::as_str);
    let key = format!(
        "{title}\u{1f}{}\u{1f}{}",
        artist.map(normalize_artist).unwrap_or_default(),
        q.duration_ms
            .map(|ms| (ms + 500) / 1000)
            .unwrap_or_default()
    );
    let duration = q.duration_ms.map(|ms| (ms + 500) / 1000 * 1000);
    Some((key, fuzzy_query(&title, artist, duration)))
}

/// Writes each distinct track's result into every item that shares its key.
fn apply_tracks(library: &mut Library, tracks: &[Track], index: &HashMap<String, usize>) {
    for item in library.items_mut() {
        if item.item_type != "track" {
            continue;
        }
        let Some(track) = index.get(&item_key(item)).map(|&i| &tracks[i]) else {
            continue;
        };
        item.musicbrainz = track.result.clone();
        if let Some(isrc) = track.isrc.clone().or_else(|| track.mb_isrc.clone()) {
            item.isrc = Some(isrc);
        }
    }
}

fn needs_review(t: &Track, below: f64) -> bool {
    !t.settled && t.result.as_ref().is_none_or(|m| m.confidence < below)
}

fn review_rows(tracks: &[Track], below: f64) -> Vec<ReviewRow> {
    tracks
        .iter()
        .filter(|t| needs_review(t, below))
        .flat_map(|t| {
            ReviewRow::for_track(
                t.spotify_id.clone(),
                &t.query,
                t.result.as_ref(),
                &t.alternatives,
            )
        })
        .collect()
}

/// Enriches one complete snapshot of `archive`: reads its `library.json`, enriches it through
/// the archive's cache and writes it back atomically. `backup` and `demo` call this too.
pub async fn enrich_snapshot(
    archive: &crate::archive::Archive,
    snapshot_id: &str,
    client: &MusicBrainz,
    opts: &EnrichOptions,
    progress: ProgressHandle,
) -> crate::error::Result<EnrichSummary> {
    let mut library = archive.read_library(snapshot_id)?;
    let cache = Cache::open(&archive.cache_path(), super::cache::Ttl::default())?;
    let summary = enrich_library(&mut library, client, &cache, opts, progress).await?;
    archive.write_library(snapshot_id, &library)?;
    Ok(summary)
}
