//! Scoring MusicBrainz candidates against a Spotify track, and deciding — or refusing to.
//!
//! Rules (see `reference/musicbrainz.md` §5–7): titles are compared without featured credits
//! and remaster suffixes; version markers (live, remix, edit …) must agree; every credited
//! artist is compared, featured artists from either title included; durations must agree within
//! [`DURATION_TOLERANCE_MS`] when both are known; transliteration is only a fallback. A match
//! needs the threshold *and* a margin over any other recording, else the track stays unmatched
//! with its best candidate kept for review.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::normalize::{
    channel_tag, comment_markers, fallback_key, has_cjk, has_non_latin, main_script,
    normalize_artist, normalize_isrc, normalize_title, scripts_differ, title_parts, Script,
    TitleParts, VersionMarker,
};

/// Score at or above which a candidate may be accepted (with [`MARGIN`] over the runner-up).
pub const ACCEPT_THRESHOLD: f64 = 0.85;
/// How far the best candidate must lead any other recording.
pub const MARGIN: f64 = 0.03;
/// Durations further apart than this are different recordings (or wrong data).
pub const DURATION_TOLERANCE_MS: u64 = 10_000;
/// Durations allowed apart when an ISRC, a Spotify link or the album position names the
/// recording and the titles agree.
pub const ANCHORED_DURATION_TOLERANCE_MS: u64 = 20_000;
/// Durations this close count as equal (encoding, rounding, fades).
const DURATION_GRACE_MS: u64 = 3_000;
/// Where the duration score reaches zero.
const DURATION_ZERO_MS: u64 = 15_000;
/// Scores of refused candidates are capped here so they can never be accepted.
const REFUSED_CAP: f64 = 0.5;
/// A transliterated comparison never counts as fully equal.
const FALLBACK_CAP: f64 = 0.95;
/// Best score when the artist could not be compared across scripts.
const UNREADABLE_CAP: f64 = 0.9;
/// Similarity kept for two different artist names written in the same script.
const LOOKALIKE_NAME_FACTOR: f64 = 0.6;
/// Title similarity when one side has a word the other lacks.
const EXTRA_WORD_CAP: f64 = 0.8;

/// What is known about the Spotify track.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrackQuery {
    pub title: String,
    pub artists: Vec<String>,
    pub album: Option<String>,
    pub album_release_date: Option<String>,
    pub album_track_count: Option<u32>,
    pub duration_ms: Option<u64>,
    /// Normalized ISRC.
    pub isrc: Option<String>,
    pub track_number: Option<u32>,
    pub disc_number: Option<u32>,
    /// MusicBrainz ids already known for the track's artists (Spotify URL relationships).
    pub artist_mbids: Vec<String>,
}

impl TrackQuery {
    pub fn from_item(item: &crate::model::Item) -> Self {
        TrackQuery {
            title: item.name.clone(),
            artists: item.artists.iter().map(|a| a.name.clone()).collect(),
            album: item.album.as_ref().map(|a| a.name.clone()),
            album_release_date: item.album.as_ref().and_then(|a| a.release_date.clone()),
            album_track_count: None,
            duration_ms: item.duration_ms,
            isrc: item.isrc.as_deref().and_then(normalize_isrc),
            track_number: item.track_number,
            disc_number: item.disc_number,
            artist_mbids: Vec::new(),
        }
    }
}

/// A MusicBrainz recording that might be the track.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Candidate {
    pub recording_id: String,
    pub title: String,
    pub artists: Vec<CandidateArtist>,
    pub length_ms: Option<u64>,
    pub isrcs: Vec<String>,
    pub disambiguation: Option<String>,
    pub releases: Vec<CandidateRelease>,
    /// The search server's own score (0–100); not proof of anything, kept for review.
    pub mb_score: Option<u8>,
}

/// One credited artist. `name` is the name as credited on the recording.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CandidateArtist {
    pub id: String,
    pub name: String,
    /// The artist's sort name ("Sakamoto, Ryuichi"), often Latin for non-Latin names.
    pub sort_name: Option<String>,
    /// Other names of the artist (its canonical name if credited differently, aliases).
    pub aliases: Vec<String>,
}

/// A release the recording appears on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CandidateRelease {
    pub id: String,
    pub title: String,
    pub release_group_id: Option<String>,
    pub primary_type: Option<String>,
    pub secondary_types: Vec<String>,
    pub status: Option<String>,
    pub date: Option<String>,
    pub track_count: Option<u32>,
    /// Position of the recording on this release (track number within its medium).
    pub track_position: Option<u32>,
    /// The medium (disc) that position is on.
    pub disc_number: Option<u32>,
}

/// How the candidates were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// Recordings carrying the track's ISRC. A candidate whose `isrcs` list is empty (the
    /// response did not include them) is taken to carry it; one listing other ISRCs is not.
    Isrc,
    /// A recording linked to the track's Spotify URL.
    SpotifyUrl,
    /// The tracks of the release linked to the track's Spotify album.
    ReleaseTracklist,
    /// A fuzzy search.
    Search,
}

impl From<Evidence> for crate::model::MatchMethod {
    fn from(e: Evidence) -> Self {
        match e {
            Evidence::Isrc => crate::model::MatchMethod::Isrc,
            Evidence::SpotifyUrl => crate::model::MatchMethod::SpotifyUrl,
            Evidence::ReleaseTracklist => crate::model::MatchMethod::ReleaseTracklist,
            Evidence::Search => crate::model::MatchMethod::Search,
        }
    }
}

impl Candidate {
    /// The `item.musicbrainz` record for this candidate once [`decide`] matched it.
    pub fn recording_match(
        &self,
        release: Option<&CandidateRelease>,
        evidence: Evidence,
        confidence: f64,
    ) -> crate::model::RecordingMatch {
        crate::model::RecordingMatch {
            recording_id: self.recording_id.clone(),
            release_id: release.map(|r| r.id.clone()),
            release_group_id: release.and_then(|r| r.release_group_id.clone()),
            artist_ids: self.artists.iter().map(|a| a.id.clone()).collect(),
            method: evidence.into(),
            confidence: confidence.clamp(0.0, 1.0),
        }
    }
}

/// A candidate's score with its parts and the reasons behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// 0..=1.
    pub total: f64,
    /// `total` before clamping to 1: ranks candidates whose nudges would all clamp to 1.
    pub rank: f64,
    pub title: f64,
    pub artist: f64,
    /// None when either duration is unknown.
    pub duration: Option<f64>,
    pub versions_agree: bool,
    /// True when a hard rule refused the candidate (total is then capped below any threshold).
    pub refused: bool,
    pub reasons: Vec<String>,
}

/// The outcome for one track.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// `index` into the candidates; `release` into that candidate's releases.
    Matched {
        index: usize,
        confidence: f64,
        release: Option<usize>,
    },
    /// Nothing sure enough; the best candidate (index, total) is kept for review.
    Unmatched { best: Option<(usize, f64)> },
}

/// The threshold for an evidence kind. All share [`ACCEPT_THRESHOLD`]: strong evidence raises
/// the score instead, so that the refusal rules apply to every path alike.
pub fn accept_threshold(_evidence: Evidence) -> f64 {
    ACCEPT_THRESHOLD
}

/// Scores one candidate.
pub fn score(query: &TrackQuery, candidate: &Candidate, evidence: Evidence) -> Score {
    let q = QueryView::new(query);
    score_view(&q, candidate, evidence)
}

/// Query-side work done once per track, not once per candidate.
struct QueryView<'a> {
    query: &'a TrackQuery,
    parts: TitleParts,
    markers: BTreeSet<VersionMarker>,
    artists: Vec<Vec<String>>,
    /// Venue and date words of a live track ("Song - Live at Red Rocks 1999").
    live_details: BTreeSet<String>,
    /// The track comes from a soundtrack (album or "- From … Soundtrack" title).
    soundtrack: bool,
    /// Spotify calls the track or its album a remaster (a new master of the same recording).
    remastered: bool,
}

impl<'a> QueryView<'a> {
    fn new(query: &'a TrackQuery) -> Self {
        let parts = title_parts(&query.title);
        let mut markers = parts.markers.clone();
        let mut live_details = live_detail_words(parts.version_texts.iter().map(String::as_str));
        if let Some(album) = query.album.as_deref().filter(|a| album_is_live(a)) {
            markers.insert(VersionMarker::Live);
            if live_details.is_empty() {
                // Only "Live at/in/à <venue>" names a concert; "Album (Live)" does not.
                let n = normalize_title(album);
                if let Some((_, venue)) = n.split_once("live ") {
                    live_details = live_detail_words([venue]);
                }
            }
        }
        let mut artists: Vec<Vec<String>> = query.artists.iter().map(|a| vec![a.clone()]).collect();
        add_featured(&mut artists, &parts.featured);
        let soundtrack = [Some(query.title.as_str()), query.album.as_deref()]
            .into_iter()
            .flatten()
            .any(|t| {
                let n = normalize_title(t);
                n.contains("soundtrack") || n.contains("motion picture") || n.contains("film")
            });
        let remastered = [Some(query.title.as_str()), query.album.as_deref()]
            .into_iter()
            .flatten()
            .any(|t| t.to_lowercase().contains("remaster"));
        QueryView {
            query,
            parts,
            markers,
            artists,
            live_details,
            soundtrack,
            remastered,
        }
    }
}

fn add_featured(artists: &mut Vec<Vec<String>>, featured: &[String]) {
    for f in featured {
        let nf = normalize_artist(f);
        if !artists.iter().flatten().any(|a| normalize_artist(a) == nf) {
            artists.push(vec![f.clone()]);
        }
    }
}

/// The version decision of [`score_view`]: the markers on each side (a track of the very live
/// album the candidate is on counts as live), whether the candidate is on the Spotify album,
/// and whether the versions — remix texts and concerts included — agree.
struct Versions {
    cmarkers: BTreeSet<VersionMarker>,
    qmarkers: BTreeSet<VersionMarker>,
    on_album: bool,
    agree: bool,
    same_concert: bool,
}

fn compare_versions(
    q: &QueryView,
    c: &Candidate,
    cparts: &TitleParts,
    reasons: &mut Vec<String>,
) -> Versions {
    // Version markers: title, disambiguation, and a live-only release list.
    let cmarkers = candidate_markers(c, cparts);
    let mut qmarkers = q.markers.clone();
    let on_album = q
        .query
        .album
        .as_deref()
        .is_some_and(|a| c.releases.iter().any(|r| album_titles_agree(a, &r.title)));
    // A track of the very live album the candidate is on is live too, title or not.
    if on_album && cmarkers.contains(&VersionMarker::Live) && live_by_release_type(c) {
        qmarkers.insert(VersionMarker::Live);
    }
    let mut versions_agree = marker_classes(&qmarkers) == marker_classes(&cmarkers);
    // MusicBrainz's "film version" is what a soundtrack album carries.
    if !versions_agree
        && q.soundtrack
        && marker_classes(&cmarkers)
            .difference(&marker_classes(&qmarkers))
            .all(|m| *m == VersionMarker::Other)
        && marker_classes(&qmarkers).is_subset(&marker_classes(&cmarkers))
        && film_version(c, cparts)
    {
        versions_agree = true;
        reasons.push("film version on a soundtrack".into());
    }
    if versions_agree && !q.parts.version_texts.is_empty() && !cparts.version_texts.is_empty() {
        // Two remixes (or two "versions") must be the same one: compare the segment texts.
        let needs_detail = q.markers.iter().any(|m| {
            matches!(
                m,
                VersionMarker::Remix | VersionMarker::Other | VersionMarker::Cover
            )
        });
        let a = q.parts.version_texts.join(" ");
        let b = cparts.version_texts.join(" ");
        if needs_detail && token_overlap(&a, &b) < 0.5 {
            versions_agree = false;
            reasons.push(format!("different versions: \"{a}\" vs \"{b}\""));
        }
    }
    // Two live recordings are the same one only at the same concert: when both name a venue
    // or date (MusicBrainz in the comment, "live, 1999-05-02: Red Rocks …"), one must agree.
    let mut same_concert = false;
    if versions_agree && qmarkers.contains(&VersionMarker::Live) && !q.live_details.is_empty() {
        let mut texts = cparts.version_texts.clone();
        texts.extend(c.disambiguation.as_deref().map(normalize_title));
        let cdetails = live_detail_words(texts.iter().map(String::as_str));
        match concerts_agree(&q.live_details, &cdetails) {
            Some(false) => {
                versions_agree = false;
                reasons.push("another concert".into());
            }
            Some(true) => {
                same_concert = true;
                reasons.push("same concert".into());
            }
            None => {}
        }
    }
    Versions {
        cmarkers,
        qmarkers,
        on_album,
        agree: versions_agree,
        same_concert,
    }
}

/// The artist decision of [`score_view`]: every credited name (sort names, aliases and
/// featured artists from the title) against the query's, and the MBIDs when known. Returns
/// the view, the artist similarity after the MBID rules, and whether an MBID agreed.
fn compare_artists(
    q: &QueryView,
    c: &Candidate,
    cparts: &TitleParts,
    reasons: &mut Vec<String>,
) -> (ArtistView, f64, bool) {
    // Artists: all credited, featured names from either title included; by MBID when known.
    let mut cartists: Vec<Vec<String>> = c
        .artists
        .iter()
        .map(|a| {
            let mut names = vec![a.name.clone()];
            if let Some(s) = &a.sort_name {
                names.push(unsort(s));
            }
            names.extend(a.aliases.iter().cloned());
            names
        })
        .collect();
    add_featured(&mut cartists, &cparts.featured);
    let arts = artist_view(&q.artists, &cartists);
    let mut artist = arts.value;
    let mbids = &q.query.artist_mbids;
    let mbid_match = !mbids.is_empty() && c.artists.iter().any(|a| mbids.contains(&a.id));
    if mbid_match {
        artist = 1.0;
        reasons.push("artist MBID agrees".into());
    } else if !mbids.is_empty()
        && !c.artists.is_empty()
        && c.artists.iter().all(|a| !a.id.is_empty())
    {
        artist = artist.min(0.4);
        reasons.push("credited artists are other MusicBrainz artists".into());
    }
    (arts, artist, mbid_match)
}

/// The evidence decision of [`score_view`]: what names this very recording besides its
/// title and artists.
struct Anchors {
    /// The query's ISRC is the candidate's (or the ISRC search found a candidate without any).
    isrc_agrees: bool,
    /// An ISRC or a Spotify link names the recording.
    strong: bool,
    /// Same disc and track position on the album's release.
    position_agrees: bool,
    /// Evidence naming this very recording, whatever script its title is written in.
    anchored: bool,
}

fn anchors(q: &QueryView, c: &Candidate, evidence: Evidence, reasons: &mut Vec<String>) -> Anchors {
    let isrc_agrees = q.query.isrc.as_ref().is_some_and(|i| {
        c.isrcs.iter().any(|ci| ci.eq_ignore_ascii_case(i))
            || (evidence == Evidence::Isrc && c.isrcs.is_empty())
    });
    let strong = isrc_agrees || evidence == Evidence::SpotifyUrl;
    if isrc_agrees {
        reasons.push("ISRC agrees".into());
    }
    let position_agrees = same_position(q.query, c, evidence);
    if position_agrees {
        reasons.push("same disc and track position".into());
    }
    let anchored = strong || position_agrees;
    Anchors {
        isrc_agrees,
        strong,
        position_agrees,
        anchored,
    }
}

/// The duration decision of [`score_view`]: the length difference is refused beyond
/// [`DURATION_TOLERANCE_MS`] (or [`ANCHORED_DURATION_TOLERANCE_MS`] when `anchored_length`);
/// the score is `None` when either length is unknown.
fn compare_durations(
    q: &QueryView,
    c: &Candidate,
    anchored_length: bool,
    refused: &mut bool,
    reasons: &mut Vec<String>,
) -> Option<f64> {
    let tolerance = if anchored_length {
        ANCHORED_DURATION_TOLERANCE_MS
    } else {
        DURATION_TOLERANCE_MS
    };
    match (q.query.duration_ms, c.length_ms) {
        (Some(a), Some(b)) => {
            let d = a.abs_diff(b);
            if d > tolerance {
                *refused = true;
                reasons.push(format!("durations differ by {:.1} s", d as f64 / 1000.0));
            }
            Some(duration_score(d))
        }
        _ => None,
    }
}

/// Whether the candidate is known to be on none of the Spotify album's releases: the track's
/// length and album are known and every release title is comparable (same script).
fn off_the_album(q: &QueryView, c: &Candidate) -> bool {
    if q.query.duration_ms.is_none() {
        return false;
    }
    let Some(album) = q.query.album.as_deref() else {
        return false;
    };
    !c.releases.is_empty() && c.releases.iter().all(|r| !scripts_differ(album, &r.title))
}

/// Scores candidate `c` against the query: the version, artist, evidence and duration
/// decisions (above), then the title and artist gates, the hard refusals, the weighted total
/// and the nudges.
fn score_view(q: &QueryView, c: &Candidate, evidence: Evidence) -> Score {
    let mut reasons = Vec::new();
    let mut refused = false;
    let cparts = title_parts(&c.title);

    let Versions {
        cmarkers,
        qmarkers,
        on_album,
        agree: versions_agree,
        same_concert,
    } = compare_versions(q, c, &cparts, &mut reasons);
    if !versions_agree {
        refused = true;
        reasons.push(format!(
            "version markers differ: {:?} vs {:?}",
            qmarkers, cmarkers
        ));
    }

    // Title: similarity in its own script (a transliteration only when the scripts differ).
    let (title, _) = text_similarity(&q.parts.base, &cparts.base);
    // MusicBrainz keeps titles in their original script; Spotify may show them romanized or
    // translated. Only that direction is a script difference to bridge: a Latin title in
    // MusicBrainz against a non-Latin one on Spotify is another song.
    let title_cross = main_script(&q.parts.base) == Some(Script::Latin)
        && (scripts_differ(&q.parts.base, &cparts.base) || has_non_latin(&cparts.base));
    let (arts, artist, mbid_match) = compare_artists(q, c, &cparts, &mut reasons);

    let Anchors {
        isrc_agrees,
        strong,
        position_agrees,
        anchored,
    } = anchors(q, c, evidence, &mut reasons);

    // Masters, pregaps and fades move a length by up to 20 s: allowed when the titles agree
    // as written and an ISRC or Spotify link names the recording, or the track is a remaster
    // at the recording's position on the album.
    let anchored_length =
        (strong || (position_agrees && q.remastered)) && !title_cross && title >= 0.95;
    let duration = compare_durations(q, c, anchored_length, &mut refused, &mut reasons);
    let close_duration = duration.is_some_and(|d| d >= 1.0);

    // Title and artist must agree. Strong evidence lowers the bar a little.
    let (t_min, a_min) = if strong { (0.8, 0.5) } else { (0.85, 0.6) };
    // Without strong evidence the first-credited artist itself must agree, not just the set.
    let artist_ok =
        artist >= a_min && (strong || mbid_match || arts.primary >= 0.8 || arts.value >= 0.99);
    // An artist confirmed by MBID, or by a name (alias, sort name) written like Spotify's.
    let artist_direct = mbid_match || arts.direct >= 0.9;
    // Titles in different scripts (Spotify's romanization or translation against the original
    // script in MusicBrainz): accepted with an anchor (ISRC, Spotify link, disc/position) and
    // an agreeing artist; a transliteration is a second opinion, never enough alone.
    let title_ok = if !title_cross {
        title >= t_min
    } else if anchored && artist_ok && versions_agree {
        close_duration || title >= t_min
    } else {
        title >= t_min && artist_direct && close_duration
    };
    let title_unread = title_ok && title_cross && title < t_min;
    // Only an artist may go unread otherwise (a CJK name against its romanization, no alias
    // in MB), with an anchor, a near-exact title and durations within the grace.
    let artist_unreadable =
        !artist_ok && arts.cross && anchored && close_duration && title >= 0.95 && !title_cross;
    if !title_ok {
        refused = true;
        if title_cross {
            reasons.push(format!(
                "title in another script without confirming evidence ({title:.2})"
            ));
        } else {
            reasons.push(format!("titles differ ({title:.2})"));
        }
    }
    if title_unread {
        reasons.push("title in another script, confirmed by other evidence".into());
    }
    if !artist_ok && !artist_unreadable {
        refused = true;
        reasons.push(format!("artists differ ({artist:.2})"));
    }
    // A search hit by the same artist and title that is on none of the Spotify album's
    // releases may be another song of that name: it needs an anchor. Named versions (remix,
    // live, acoustic, a mono mix …) are exempt: they come out on singles and compilations, and
    // two songs sharing a title *and* a version are rare. Without the track's length nothing
    // tells two takes apart, so then the hit stays a rival.
    let ctag = channel_tag(&c.title).or_else(|| c.disambiguation.as_deref().and_then(channel_tag));
    let qtag = channel_tag(&q.query.title);
    let named_version =
        versions_agree && (!qmarkers.is_empty() || (qtag.is_some() && qtag == ctag));
    if evidence == Evidence::Search
        && !anchored
        && !on_album
        && !named_version
        && off_the_album(q, c)
    {
        refused = true;
        reasons.push("not on the Spotify album".into());
    }
    // A mono mix is a recording of its own: Spotify's mono track needs MusicBrainz's mono one.
    if qtag == Some("mono") && ctag != Some("mono") && !strong {
        refused = true;
        reasons.push("Spotify's mono mix, not MusicBrainz's".into());
    }
    if artist_unreadable {
        reasons.push("artist in another script, not compared".into());
    }
    // A side that could not be read (kanji vs romanization) is left out rather than counted 0.
    let (mut sum, mut weight) = (0.0, 0.0);
    if !title_unread {
        sum += 3.0 * title;
        weight += 3.0;
    }
    if !artist_unreadable {
        sum += 3.0 * artist;
        weight += 3.0;
    }
    if let Some(d) = duration {
        sum += 2.0 * d;
        weight += 2.0;
    }
    let base = if weight > 0.0 { sum / weight } else { 0.0 };
    let mut total = if anchored { 0.5 + 0.5 * base } else { base };

    // Small nudges that separate near-equal candidates.
    if !isrc_agrees && q.query.isrc.is_some() && !c.isrcs.is_empty() {
        total -= 0.05;
        reasons.push("candidate has other ISRCs".into());
    }
    if on_album {
        total += 0.02;
        reasons.push("on the same album".into());
    }
    if let (Some(a), Some(b)) = (channel_tag(&q.query.title), ctag) {
        if a == b {
            total += 0.03;
        } else {
            total -= 0.05;
            reasons.push(format!("{a} vs {b}"));
        }
    }
    if position_agrees {
        total += 0.03;
    }
    if same_concert {
        total += 0.03;
    }
    let mut rank = total;
    let mut total = total.clamp(0.0, 1.0);
    if artist_unreadable || title_unread {
        total = total.min(UNREADABLE_CAP);
    } else if title_cross {
        total = total.min(FALLBACK_CAP);
    }
    if refused {
        total = total.min(REFUSED_CAP);
    }
    // Without the track's length, nudges (album, position) cannot tell two takes apart.
    rank = if q.query.duration_ms.is_none() {
        total
    } else {
        rank.min(total + 0.1)
    };
    Score {
        total,
        rank,
        title,
        artist,
        duration,
        versions_agree,
        refused,
        reasons,
    }
}

/// Version markers of a candidate: its title, its disambiguation comment, and "live" when
/// every release it is on is a live album.
fn candidate_markers(c: &Candidate, cparts: &TitleParts) -> BTreeSet<VersionMarker> {
    let mut cmarkers = cparts.markers.clone();
    if let Some(d) = &c.disambiguation {
        cmarkers.extend(comment_markers(d));
    }
    if live_by_release_type(c) {
        cmarkers.insert(VersionMarker::Live);
    }
    cmarkers
}

/// True when every release of the candidate is a live album (its only sign of being live may
/// be that).
fn live_by_release_type(c: &Candidate) -> bool {
    !c.releases.is_empty()
        && c.releases.iter().all(|r| {
            r.secondary_types
                .iter()
                .any(|t| t.eq_ignore_ascii_case("live"))
        })
}

/// A "film version" / "movie version" / "soundtrack version" in title or comment.
fn film_version(c: &Candidate, cparts: &TitleParts) -> bool {
    let comment = c.disambiguation.as_deref().map(normalize_title);
    cparts
        .version_texts
        .iter()
        .chain(comment.iter())
        .any(|t| t.contains("film") || t.contains("movie") || t.contains("soundtrack"))
}

/// Whether the candidate sits at the track's position (and disc, when both know it) on the
/// Spotify album's release: the tracklist's release, or a release of the album's title, with
/// as many tracks as the Spotify album when both counts are known.
fn same_position(q: &TrackQuery, c: &Candidate, evidence: Evidence) -> bool {
    let Some(n) = q.track_number else {
        return false;
    };
    c.releases.iter().any(|r| {
        r.track_position == Some(n)
            && match (q.disc_number, r.disc_number) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
            // Another edition (deluxe, bonus tracks) numbers its tracks differently.
            && match (q.album_track_count, r.track_count) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
            && (evidence == Evidence::ReleaseTracklist
                || q.album
                    .as_deref()
                    .is_some_and(|a| album_titles_agree(a, &r.title)))
    })
}

/// Whether two sets of concert words name the same concert: venues decide when both name one,
/// else years; None when they cannot tell.
fn concerts_agree(a: &BTreeSet<String>, b: &BTreeSet<String>) -> Option<bool> {
    let is_year = |w: &&String| w.chars().all(|c| c.is_ascii_digit());
    let split = |s: &BTreeSet<String>| -> (BTreeSet<String>, BTreeSet<String>) {
        let (years, words): (Vec<&String>, Vec<&String>) = s.iter().partition(is_year);
        (
            words.into_iter().cloned().collect(),
            years.into_iter().cloned().collect(),
        )
    };
    let ((wa, ya), (wb, yb)) = (split(a), split(b));
    if !wa.is_empty() && !wb.is_empty() {
        let venue = !wa.is_disjoint(&wb);
        let years_clash = !ya.is_empty() && !yb.is_empty() && ya.is_disjoint(&yb);
        return Some(venue && !years_clash);
    }
    if !ya.is_empty() && !yb.is_empty() {
        return Some(!ya.is_disjoint(&yb));
    }
    None
}

/// Words naming a concert (venue, city, year) in live segments or comments: everything but
/// the words every live title shares. Remaster years are not concert dates.
fn live_detail_words<'a>(texts: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    const COMMON: &[&str] = &[
        "live",
        "at",
        "in",
        "from",
        "the",
        "on",
        "of",
        "and",
        "version",
        "recorded",
        "recording",
        "concert",
        "session",
        "sessions",
        "unplugged",
        "en",
        "vivo",
        "ao",
        "directo",
        "de",
        "la",
        "le",
        "el",
        "del",
        "du",
        "des",
        "der",
        "die",
        "das",
        "im",
        "edit",
        "mix",
        "remix",
        "mono",
        "stereo",
        "acoustic",
        "tour",
        "show",
        "festival",
        "stadium",
        "arena",
        "theatre",
        "theater",
        "hall",
        "studio",
        "studios",
        "usa",
        "radio",
        "bonus",
        "track",
        "deluxe",
        "edition",
        "explicit",
        "single",
        "album",
    ];
    let mut out = BTreeSet::new();
    for text in texts {
        let remaster = text.contains("remaster");
        for w in text.split(' ') {
            let digits = w.chars().all(|c| c.is_ascii_digit());
            let keep = if digits {
                w.len() == 4 && !remaster
            } else {
                w.chars().count() >= 3 && !COMMON.contains(&w) && !w.starts_with("remaster")
            };
            if keep {
                out.insert(w.to_string());
            }
        }
    }
    out
}

/// Whether a Spotify album title and a MusicBrainz release title name the same album
/// (edition and remaster suffixes aside).
pub fn album_titles_agree(spotify: &str, release: &str) -> bool {
    text_similarity(&title_parts(spotify).base, &title_parts(release).base).0 >= 0.9
}

/// Live/edit families: a radio edit and an edit are the same kind of cut.
fn marker_classes(m: &BTreeSet<VersionMarker>) -> BTreeSet<VersionMarker> {
    m.iter()
        .map(|v| match v {
            VersionMarker::RadioEdit => VersionMarker::Edit,
            other => *other,
        })
        .collect()
}

fn album_is_live(album: &str) -> bool {
    let p = title_parts(album);
    if p.markers.contains(&VersionMarker::Live) {
        return true;
    }
    let b = &p.base;
    // "Live at/in/from/à/au/im/en <venue>" in any language.
    let venue_word = b.split(' ').nth(1).is_some_and(|w| {
        matches!(
            w,
            "at" | "in"
                | "from"
                | "on"
                | "à"
                | "a"
                | "au"
                | "aux"
                | "im"
                | "en"
                | "em"
                | "dal"
                | "da"
                | "de"
                | "del"
                | "i"
                | "på"
        )
    });
    (b.starts_with("live ") && venue_word)
        || b.contains(" live at ")
        || b.contains(" live in ")
        || b.contains("unplugged")
        || b.ends_with(" live")
}

fn duration_score(diff_ms: u64) -> f64 {
    if diff_ms <= DURATION_GRACE_MS {
        1.0
    } else if diff_ms >= DURATION_ZERO_MS {
        0.0
    } else {
        1.0 - (diff_ms - DURATION_GRACE_MS) as f64 / (DURATION_ZERO_MS - DURATION_GRACE_MS) as f64
    }
}

/// "Sakamoto, Ryuichi" → "Ryuichi Sakamoto".
fn unsort(sort_name: &str) -> String {
    match sort_name.split_once(", ") {
        Some((last, first)) if !first.contains(',') => format!("{first} {last}"),
        _ => sort_name.to_string(),
    }
}

/// Similarity of two normalized strings, and whether the two could not be compared at all:
/// one side is Chinese/Japanese/Korean and the other is not (see [`has_cjk`]: a failed
/// comparison then means "unreadable", not "different"). Cyrillic and Greek transliterate well
/// enough that a failed comparison counts as a disagreement.
fn text_similarity(a: &str, b: &str) -> (f64, bool) {
    text_similarity_with(a, b, true)
}

/// [`text_similarity`], optionally without the transliterated fallback.
fn text_similarity_with(a: &str, b: &str, transliterate: bool) -> (f64, bool) {
    if a == b {
        return (1.0, false);
    }
    if a.is_empty() || b.is_empty() {
        return (0.0, false);
    }
    let direct = plain_similarity(a, b);
    let (ha, hb) = (has_cjk(a), has_cjk(b));
    if ha != hb {
        return (direct, direct < 0.8);
    }
    // Fallback: transliterate when the scripts differ or only diacritics do.
    if transliterate
        && direct < 1.0
        && !ha
        && (has_non_latin(a) || has_non_latin(b) || !a.is_ascii() || !b.is_ascii())
    {
        let fa = fallback_key(a);
        let fb = fallback_key(b);
        if !fa.is_empty() && !fb.is_empty() {
            let f = plain_similarity(&fa, &fb) * FALLBACK_CAP;
            if f > direct {
                return (f, false);
            }
        }
    }
    (direct, false)
}

/// Edit similarity, forgiving word order, but capped below acceptance when one side has a
/// word the other lacks ("Part 2", "Reprise", "II"): long titles otherwise hide a different
/// song behind a high edit similarity.
fn plain_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let lev = strsim::normalized_levenshtein(a, b);
    // Word order: "beatles the" vs "the beatles".
    let mut ta: Vec<&str> = a.split(' ').collect();
    let mut tb: Vec<&str> = b.split(' ').collect();
    ta.sort_unstable();
    tb.sort_unstable();
    if ta == tb {
        return lev.max(0.97);
    }
    let unmatched_word = |xs: &[&str], ys: &[&str]| {
        xs.iter().any(|x| {
            !ys.iter()
                .any(|y| x == y || strsim::normalized_levenshtein(x, y) >= 0.75)
        })
    };
    if unmatched_word(&ta, &tb) || unmatched_word(&tb, &ta) {
        lev.min(EXTRA_WORD_CAP)
    } else {
        lev
    }
}

fn token_overlap(a: &str, b: &str) -> f64 {
    let ta: BTreeSet<&str> = a.split(' ').filter(|w| !w.is_empty()).collect();
    let tb: BTreeSet<&str> = b.split(' ').filter(|w| !w.is_empty()).collect();
    if ta.is_empty() && tb.is_empty() {
        return 1.0;
    }
    let inter = ta.intersection(&tb).count() as f64;
    let union = ta.union(&tb).count() as f64;
    inter / union
}

/// Similarity of two artist lists (symmetric). Every credited artist counts: the primary
/// artist of each side must be found on the other (weight 3), and the whole sets are compared
/// (weight 1), so a missing featured artist costs a little and a different artist a lot.
pub fn artist_similarity(a: &[String], b: &[String]) -> f64 {
    let wrap = |v: &[String]| v.iter().map(|n| vec![n.clone()]).collect::<Vec<_>>();
    artist_view(&wrap(a), &wrap(b)).value
}

/// How two artist lists compare.
struct ArtistView {
    /// Overall similarity (primary artist and whole set), transliteration allowed.
    value: f64,
    /// The first-credited artists of both sides found on the other side.
    primary: f64,
    /// Some artist could not be compared at all (CJK against Latin).
    cross: bool,
    /// `value` without transliteration: names as written (aliases and sort names included).
    direct: f64,
}

fn artist_view(a: &[Vec<String>], b: &[Vec<String>]) -> ArtistView {
    let (value, primary, cross) = artist_similarity_alts(a, b, true);
    let direct = if value > 0.0 {
        artist_similarity_alts(a, b, false).0
    } else {
        0.0
    };
    ArtistView {
        value,
        primary,
        cross,
        direct,
    }
}

/// Like [`artist_similarity`], each artist given as alternative names: (similarity, primary
/// artists' similarity, unreadable).
fn artist_similarity_alts(
    a: &[Vec<String>],
    b: &[Vec<String>],
    transliterate: bool,
) -> (f64, f64, bool) {
    if a.is_empty() || b.is_empty() {
        return (0.0, 0.0, false);
    }
    let na: Vec<Vec<String>> = a
        .iter()
        .map(|n| n.iter().map(|s| normalize_artist(s)).collect())
        .collect();
    let nb: Vec<Vec<String>> = b
        .iter()
        .map(|n| n.iter().map(|s| normalize_artist(s)).collect())
        .collect();
    let mut cross_any = false;
    let mut pair = |x: &Vec<String>, y: &Vec<String>| -> f64 {
        let mut best = 0.0f64;
        let mut best_cross = false;
        // Names known in two scripts (the primary names differ in script) are romanized in
        // more than one way ("Sheena" / "Shiina"): a near spelling counts there.
        let romanized = match (x.first(), y.first()) {
            (Some(a), Some(b)) => scripts_differ(a, b),
            _ => false,
        };
        for s in x {
            for t in y {
                let (mut v, cross) = text_similarity_with(s, t, transliterate);
                // Two names written alike but not the same ("Daughtry" / "Daughtery") are
                // two artists: only spelling that normalization or diacritics explain counts.
                if v < 0.97
                    && !romanized
                    && !scripts_differ(s, t)
                    && fallback_key(s) != fallback_key(t)
                {
                    v *= LOOKALIKE_NAME_FACTOR;
                }
                if v > best {
                    best = v;
                    best_cross = cross;
                }
            }
        }
        if best < 0.8 && best_cross {
            cross_any = true;
        }
        best
    };
    let m: Vec<Vec<f64>> = na
        .iter()
        .map(|x| nb.iter().map(|y| pair(x, y)).collect())
        .collect();
    let row_best: Vec<f64> = m
        .iter()
        .map(|r| r.iter().cloned().fold(0.0, f64::max))
        .collect();
    let col_best: Vec<f64> = (0..nb.len())
        .map(|j| m.iter().map(|r| r[j]).fold(0.0, f64::max))
        .collect();
    let primary = row_best[0].min(col_best[0]);
    let set = (row_best.iter().sum::<f64>() + col_best.iter().sum::<f64>())
        / (row_best.len() + col_best.len()) as f64;
    // A joined credit ("Simon & Garfunkel" as one name vs two artists) compares whole strings.
    let ja = na
        .iter()
        .map(|n| n[0].as_str())
        .collect::<Vec<_>>()
        .join(" and ");
    let jb = nb
        .iter()
        .map(|n| n[0].as_str())
        .collect::<Vec<_>>()
        .join(" and ");
    let joined = if (a.len() > 1) != (b.len() > 1) && ja == jb {
        1.0
    } else {
        0.0
    };
    let v = (0.75 * primary + 0.25 * set).max(joined);
    (v.clamp(0.0, 1.0), primary.max(joined), cross_any && v < 0.8)
}

/// The release that matches the Spotify album (title, date, track count), else the earliest
/// official album without secondary types, else the earliest official release, else the first.
pub fn choose_release<'a>(
    query: &TrackQuery,
    candidate: &'a Candidate,
) -> Option<&'a CandidateRelease> {
    choose_release_index(query, candidate).map(|i| &candidate.releases[i])
}

fn choose_release_index(query: &TrackQuery, candidate: &Candidate) -> Option<usize> {
    if candidate.releases.is_empty() {
        return None;
    }
    if let Some(album) = &query.album {
        let a = title_parts(album).base;
        let mut best: Option<(usize, f64)> = None;
        for (i, r) in candidate.releases.iter().enumerate() {
            let (t, _) = text_similarity(&a, &title_parts(&r.title).base);
            if t < 0.9 {
                continue;
            }
            let mut s = 3.0 * t;
            if let (Some(qd), Some(rd)) = (&query.album_release_date, &r.date) {
                if qd == rd {
                    s += 1.5;
                } else if qd.get(..4) == rd.get(..4) {
                    s += 1.0;
                }
            }
            if query.album_track_count.is_some() && query.album_track_count == r.track_count {
                s += 1.0;
            }
            if is_official(r) {
                s += 0.5;
            }
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
        if let Some((i, _)) = best {
            return Some(i);
        }
    }
    let earliest = |pred: &dyn Fn(&CandidateRelease) -> bool| -> Option<usize> {
        candidate
            .releases
            .iter()
            .enumerate()
            .filter(|(_, r)| pred(r))
            .min_by(|(_, x), (_, y)| date_key(x).cmp(&date_key(y)))
            .map(|(i, _)| i)
    };
    earliest(&|r| {
        is_official(r)
            && r.primary_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("album"))
            && r.secondary_types.is_empty()
    })
    .or_else(|| earliest(&is_official))
    .or(Some(0))
}

fn is_official(r: &CandidateRelease) -> bool {
    r.status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("official"))
}

/// Missing dates sort last.
fn date_key(r: &CandidateRelease) -> (bool, String) {
    match &r.date {
        Some(d) if !d.is_empty() => (false, d.clone()),
        _ => (true, String::new()),
    }
}

/// Picks the candidate, or refuses: below the threshold, or another recording within
/// [`MARGIN`] of the best, means unmatched (best kept for review) — unless all those close
/// recordings are equivalent duplicates (same title, version, artists and length, as
/// MusicBrainz often holds before a merge): then the one carrying the track's ISRC, else the
/// one on the Spotify album's release, else the one on most releases is chosen, with
/// [`DUPLICATE_DISCOUNT`] off its confidence. A tie on all three is still refused.
pub fn decide(query: &TrackQuery, candidates: &[Candidate], evidence: Evidence) -> Decision {
    let q = QueryView::new(query);
    let scored: Vec<Score> = candidates
        .iter()
        .map(|c| score_view(&q, c, evidence))
        .collect();
    let scores: Vec<f64> = scored.iter().map(|s| s.total).collect();
    let ranks: Vec<f64> = scored.iter().map(|s| s.rank).collect();
    let Some(best) = (0..candidates.len()).max_by(|&i, &j| {
        ranks[i]
            .partial_cmp(&ranks[j])
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(j.cmp(&i))
    }) else {
        return Decision::Unmatched { best: None };
    };
    let best_score = scores[best];
    if best_score < accept_threshold(evidence) {
        return Decision::Unmatched {
            best: Some((best, best_score)),
        };
    }
    let rivals: Vec<usize> = candidates
        .iter()
        .enumerate()
        .filter(|(i, c)| *i != best && c.recording_id != candidates[best].recording_id)
        .filter(|(i, _)| ranks[*i] > ranks[best] - MARGIN)
        .map(|(i, _)| i)
        .collect();
    if rivals.is_empty() {
        return Decision::Matched {
            index: best,
            confidence: best_score,
            release: choose_release_index(query, &candidates[best]),
        };
    }
    let unmatched = Decision::Unmatched {
        best: Some((best, best_score)),
    };
    let duplicates = rivals
        .iter()
        .all(|&i| !scored[i].refused && equivalent(&candidates[best], &candidates[i]));
    if !duplicates {
        return unmatched;
    }
    let mut group = rivals;
    group.push(best);
    let key = |i: usize| duplicate_preference(query, &candidates[i]);
    let top = group.iter().copied().max_by_key(|&i| key(i));
    let Some(top) = top else { return unmatched };
    if group.iter().filter(|&&i| key(i) == key(top)).count() > 1 {
        return unmatched;
    }
    let confidence =
        (scores[top].min(best_score) - DUPLICATE_DISCOUNT).max(accept_threshold(evidence));
    Decision::Matched {
        index: top,
        confidence,
        release: choose_release_index(query, &candidates[top]),
    }
}

/// Confidence given up when a match was chosen among equivalent duplicates.
pub const DUPLICATE_DISCOUNT: f64 = 0.03;

/// Whether two recordings are the same song by the same artists in the same version and
/// length: unmerged duplicates.
fn equivalent(a: &Candidate, b: &Candidate) -> bool {
    let (pa, pb) = (title_parts(&a.title), title_parts(&b.title));
    if pa.base != pb.base
        || marker_classes(&candidate_markers(a, &pa)) != marker_classes(&candidate_markers(b, &pb))
    {
        return false;
    }
    let comment = |c: &Candidate| c.disambiguation.as_deref().map(normalize_title);
    match (comment(a), comment(b)) {
        (Some(x), Some(y)) if !x.is_empty() && !y.is_empty() && x != y => return false,
        _ => {}
    }
    let ids = |c: &Candidate| {
        let mut v: Vec<String> = c.artists.iter().map(|a| a.id.clone()).collect();
        v.sort();
        v
    };
    let names = |c: &Candidate| {
        let mut v: Vec<String> = c
            .artists
            .iter()
            .map(|a| normalize_artist(&a.name))
            .collect();
        v.sort();
        v
    };
    let same_artists = if a.artists.iter().chain(&b.artists).all(|x| !x.id.is_empty()) {
        ids(a) == ids(b)
    } else {
        names(a) == names(b)
    };
    let same_length = match (a.length_ms, b.length_ms) {
        (Some(x), Some(y)) => x.abs_diff(y) <= DURATION_GRACE_MS,
        _ => false,
    };
    same_artists && same_length
}

/// Preference among duplicates: carries the track's ISRC, is on the Spotify album's release,
/// number of releases.
fn duplicate_preference(q: &TrackQuery, c: &Candidate) -> (bool, bool, usize) {
    let isrc = q
        .isrc
        .as_ref()
        .is_some_and(|i| c.isrcs.iter().any(|ci| ci.eq_ignore_ascii_case(i)));
    let on_album = q
        .album
        .as_ref()
        .is_some_and(|a| c.releases.iter().any(|r| album_titles_agree(a, &r.title)));
    (isrc, on_album, c.releases.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(id: &str, title: &str, artists: &[&str], ms: Option<u64>, isrcs: &[&str]) -> Candidate {
        Candidate {
            recording_id: id.into(),
            title: title.into(),
            artists: artists
                .iter()
                .map(|a| CandidateArtist {
                    id: format!("artist-{a}"),
                    name: a.to_string(),
                    ..Default::default()
                })
                .collect(),
            length_ms: ms,
            isrcs: isrcs.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn query(title: &str, artists: &[&str], ms: Option<u64>, isrc: Option<&str>) -> TrackQuery {
        TrackQuery {
            title: title.into(),
            artists: artists.iter().map(|s| s.to_string()).collect(),
            duration_ms: ms,
            isrc: isrc.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn remaster_matches_original() {
        let q = query(
            "Don't Stop Me Now - 2011 Remaster",
            &["Queen"],
            Some(209_000),
            None,
        );
        let c = [cand(
            "a",
            "Don’t Stop Me Now",
            &["Queen"],
            Some(210_000),
            &[],
        )];
        assert!(matches!(
            decide(&q, &c, Evidence::Search),
            Decision::Matched { index: 0, .. }
        ));
    }

    #[test]
    fn live_version_is_refused() {
        let q = query("Heroes", &["David Bowie"], Some(371_000), None);
        let mut c = cand("a", "Heroes", &["David Bowie"], Some(372_000), &[]);
        c.disambiguation = Some("live, 1978".into());
        let s = score(&q, &c, Evidence::Search);
        assert!(!s.versions_agree && s.refused && s.total <= REFUSED_CAP);
        assert!(matches!(
            decide(&q, &[c], Evidence::Search),
            Decision::Unmatched { best: Some(_) }
        ));
    }

    #[test]
    fn wrong_isrc_in_musicbrainz_is_refused() {
        let q = query(
            "Lego House",
            &["Ed Sheeran"],
            Some(185_000),
            Some("GBAHS1100206"),
        );
        let c = [cand(
            "a",
            "Totally Different",
            &["Someone Else"],
            Some(185_000),
            &["GBAHS1100206"],
        )];
        assert!(matches!(
            decide(&q, &c, Evidence::Isrc),
            Decision::Unmatched { .. }
        ));
    }

    #[test]
    fn duration_gate() {
        let q = query("Song", &["Artist"], Some(200_000), None);
        let c = [cand("a", "Song", &["Artist"], Some(215_000), &[])];
        assert!(matches!(
            decide(&q, &c, Evidence::Search),
            Decision::Unmatched { .. }
        ));
    }

    #[test]
    fn ambiguous_duplicates_are_unmatched() {
        let q = query("Song", &["Artist"], Some(200_000), None);
        let c = [
            cand("a", "Song", &["Artist"], Some(200_000), &[]),
            cand("b", "Song", &["Artist"], Some(200_500), &[]),
        ];
        assert!(matches!(
            decide(&q, &c, Evidence::Search),
            Decision::Unmatched { best: Some(_) }
        ));
    }

    #[test]
    fn featured_in_title_vs_credit() {
        let q = query(
            "Welcome to the World of the Plastic Beach (feat. Snoop Dogg and Hypnotic Brass Ensemble)",
            &["Gorillaz"],
            Some(215_000),
            None,
        );
        let c = [cand(
            "a",
            "Welcome to the World of the Plastic Beach",
            &["Gorillaz", "Snoop Dogg", "Hypnotic Brass Ensemble"],
            Some(215_506),
            &[],
        )];
        let s = score(&q, &c[0], Evidence::Search);
        assert!(s.artist > 0.99, "{s:?}");
        assert!(matches!(
            decide(&q, &c, Evidence::Search),
            Decision::Matched { .. }
        ));
    }

    fn matched(q: &TrackQuery, c: &[Candidate], e: Evidence) -> Option<String> {
        match decide(q, c, e) {
            Decision::Matched { index, .. } => Some(c[index].recording_id.clone()),
            Decision::Unmatched { .. } => None,
        }
    }

    #[test]
    fn a_cross_script_title_needs_more_than_a_transliteration() {
        // Title and artist agree only through transliteration: not enough.
        let q = query("Gruppa Krovi", &["Kino"], Some(286_000), None);
        let c = [cand("a", "Группа крови", &["Кино"], Some(286_500), &[])];
        assert_eq!(matched(&q, &c, Evidence::Search), None);
        // The artist's Latin sort name in MusicBrainz confirms the artist as written.
        let mut with_sort = c.clone();
        with_sort[0].artists[0].sort_name = Some("Kino".into());
        assert_eq!(
            matched(&q, &with_sort, Evidence::Search).as_deref(),
            Some("a")
        );
        // So does the ISRC.
        let mut q2 = q.clone();
        q2.isrc = Some("RUA000000001".into());
        assert_eq!(matched(&q2, &c, Evidence::Isrc).as_deref(), Some("a"));
    }

    #[test]
    fn an_isrc_hit_is_accepted_across_scripts_when_artist_and_length_agree() {
        // Spotify translates the title; MusicBrainz keeps the original.
        let mut q = query(
            "A Star Called Sun",
            &["Kino"],
            Some(225_000),
            Some("RUA000000002"),
        );
        let mut c = cand("z", "Звезда по имени Солнце", &["Кино"], Some(225_900), &[]);
        c.artists[0].sort_name = Some("Kino".into());
        assert_eq!(
            matched(&q, std::slice::from_ref(&c), Evidence::Isrc).as_deref(),
            Some("z")
        );
        // Kanji title, artist by alias.
        let q_jp = query(
            "Yoru ni Kakeru",
            &["YOASOBI"],
            Some(261_000),
            Some("JPP301900001"),
        );
        let c_jp = cand("y", "夜に駆ける", &["YOASOBI"], Some(261_500), &[]);
        assert_eq!(
            matched(&q_jp, std::slice::from_ref(&c_jp), Evidence::Isrc).as_deref(),
            Some("y")
        );
        // Not on a search alone.
        let mut q_search = q_jp.clone();
        q_search.isrc = None;
        assert_eq!(matched(&q_search, &[c_jp], Evidence::Search), None);
        // Refused when the lengths are not close (ISRCs are reused and wrong in MusicBrainz) …
        c.length_ms = Some(233_000);
        assert_eq!(matched(&q, std::slice::from_ref(&c), Evidence::Isrc), None);
        // … or the versions conflict, or the artist is another one.
        c.length_ms = Some(225_900);
        c.disambiguation = Some("live, 1988".into());
        assert_eq!(matched(&q, std::slice::from_ref(&c), Evidence::Isrc), None);
        c.disambiguation = None;
        q.artists = vec!["Aria".into()];
        assert_eq!(matched(&q, &[c], Evidence::Isrc), None);
    }

    #[test]
    fn artist_mbids_decide_artist_identity() {
        let mut q = query("Plastic Love", &["Mariya Takeuchi"], Some(294_000), None);
        q.artist_mbids = vec!["artist-竹内まりや".into()];
        let c = [cand(
            "p",
            "Plastic Love",
            &["竹内まりや"],
            Some(294_500),
            &[],
        )];
        assert_eq!(matched(&q, &c, Evidence::Search).as_deref(), Some("p"));
        // Same name, another MusicBrainz artist: refused.
        q.artist_mbids = vec!["artist-someone-else".into()];
        let c = [cand(
            "x",
            "Plastic Love",
            &["Mariya Takeuchi"],
            Some(294_500),
            &[],
        )];
        assert_eq!(matched(&q, &c, Evidence::Search), None);
    }

    #[test]
    fn a_live_track_matches_the_recording_of_the_concert_it_names() {
        let q = query("Song - Live at Red Rocks", &["Band"], Some(300_000), None);
        let mut red = cand("red", "Song", &["Band"], Some(301_000), &[]);
        red.disambiguation =
            Some("live, 1999-05-02: Red Rocks Amphitheatre, Morrison, CO, USA".into());
        let mut wembley = cand("wem", "Song", &["Band"], Some(300_500), &[]);
        wembley.disambiguation = Some("live, 2001-07-01: Wembley Stadium, London, UK".into());
        let studio = cand("studio", "Song", &["Band"], Some(300_000), &[]);
        let c = [wembley.clone(), studio, red];
        assert_eq!(matched(&q, &c, Evidence::Search).as_deref(), Some("red"));
        assert_eq!(matched(&q, &[wembley], Evidence::Search), None);
        // A plain "Live" cannot tell two concerts apart.
        let q = query("Song - Live", &["Band"], Some(300_000), None);
        assert_eq!(matched(&q, &c, Evidence::Search), None);
        // "(acoustic)" in MusicBrainz's title is Spotify's "- Acoustic".
        let q = query("Song - Acoustic", &["Band"], Some(200_000), None);
        let c = [
            cand("ac", "Song (acoustic)", &["Band"], Some(200_500), &[]),
            cand("st", "Song", &["Band"], Some(200_000), &[]),
        ];
        assert_eq!(matched(&q, &c, Evidence::Search).as_deref(), Some("ac"));
    }

    #[test]
    fn equivalent_duplicates_are_chosen_by_isrc_then_album_then_releases() {
        let rel = |id: &str, title: &str| CandidateRelease {
            id: id.into(),
            title: title.into(),
            ..Default::default()
        };
        let mut q = query("Song", &["Artist"], Some(200_000), Some("QZ0000000001"));
        q.album = Some("The Album".into());
        let mut a = cand("a", "Song", &["Artist"], Some(200_000), &[]);
        let mut b = cand("b", "Song", &["Artist"], Some(200_400), &["QZ0000000001"]);
        a.releases = vec![rel("r1", "The Album"), rel("r2", "Hits")];
        b.releases = vec![rel("r3", "Other")];
        let Decision::Matched {
            index, confidence, ..
        } = decide(&q, &[a.clone(), b.clone()], Evidence::Search)
        else {
            panic!("the ISRC carrier is chosen");
        };
        assert_eq!(index, 1);
        assert!(confidence < 1.0 - DUPLICATE_DISCOUNT + 1e-9);
        // Without ISRCs: the one on the Spotify album's release.
        q.isrc = None;
        b.isrcs.clear();
        assert_eq!(
            matched(&q, &[a.clone(), b.clone()], Evidence::Search).as_deref(),
            Some("a")
        );
        // Without an album: the one on more releases.
        q.album = None;
        assert_eq!(
            matched(&q, &[b.clone(), a.clone()], Evidence::Search).as_deref(),
            Some("a")
        );
        // Nothing tells them apart.
        b.releases = a.releases.clone();
        assert_eq!(matched(&q, &[a, b], Evidence::Search), None, "a tie");
    }

    #[test]
    fn a_recording_without_length_matches_on_isrc_or_position() {
        let q = query("Song", &["Artist"], Some(200_000), Some("QZ0000000002"));
        let c = [cand("a", "Song", &["Artist"], None, &["QZ0000000002"])];
        assert_eq!(matched(&q, &c, Evidence::Isrc).as_deref(), Some("a"));
        let mut q = query("Yoru ni Kakeru", &["YOASOBI"], Some(261_000), None);
        q.track_number = Some(3);
        q.disc_number = Some(1);
        let mut c = cand("y", "夜に駆ける", &["YOASOBI"], Some(261_500), &[]);
        c.releases = vec![CandidateRelease {
            id: "r".into(),
            track_position: Some(3),
            disc_number: Some(1),
            ..Default::default()
        }];
        assert_eq!(
            matched(&q, std::slice::from_ref(&c), Evidence::ReleaseTracklist).as_deref(),
            Some("y")
        );
        c.releases[0].disc_number = Some(2);
        assert_eq!(matched(&q, &[c], Evidence::ReleaseTracklist), None);
    }

    #[test]
    fn query_from_item() {
        let item: crate::model::Item = serde_json::from_value(serde_json::json!({
            "type": "track", "id": "t1", "uri": "spotify:track:t1", "name": "Lego House",
            "artists": [{"id": "a1", "name": "Ed Sheeran"}],
            "album": {"id": "al", "name": "+", "release_date": "2011-09-09"},
            "duration_ms": 185000, "explicit": false, "disc_number": 1, "track_number": 9,
            "isrc": "gb-ahs-11-00206", "musicbrainz": null
        }))
        .unwrap();
        let q = TrackQuery::from_item(&item);
        assert_eq!(q.isrc.as_deref(), Some("GBAHS1100206"));
        assert_eq!(q.artists, vec!["Ed Sheeran"]);
        assert_eq!(q.album.as_deref(), Some("+"));
        assert_eq!(q.album_release_date.as_deref(), Some("2011-09-09"));
        assert_eq!((q.duration_ms, q.track_number), (Some(185000), Some(9)));

        let mut local = item.clone();
        local.album = None;
        local.isrc = Some("not an isrc".into());
        local.duration_ms = None;
        let q = TrackQuery::from_item(&local);
        assert_eq!((q.isrc, q.album, q.duration_ms), (None, None, None));
    }

    #[test]
    fn isrc_evidence_without_isrc_list_counts_as_agreeing() {
        let q = query(
            "Lego House",
            &["Ed Sheeran"],
            Some(185_000),
            Some("GBAHS1100206"),
        );
        let bare = cand("a", "Lego House", &["Ed Sheeran"], Some(184_000), &[]);
        assert!(score(&q, &bare, Evidence::Isrc)
            .reasons
            .contains(&"ISRC agrees".to_string()));
        assert!(!score(&q, &bare, Evidence::Search)
            .reasons
            .contains(&"ISRC agrees".to_string()));
        let other = cand(
            "b",
            "Lego House",
            &["Ed Sheeran"],
            Some(184_000),
            &["GBAHS1100999"],
        );
        let s = score(&q, &other, Evidence::Isrc);
        assert!(
            s.reasons.contains(&"candidate has other ISRCs".to_string()),
            "{s:?}"
        );
    }

    #[test]
    fn matched_candidate_becomes_a_recording_match() {
        let mut c = cand("rec", "Song", &["A", "B"], Some(200_000), &[]);
        c.releases = vec![CandidateRelease {
            id: "rel".into(),
            title: "Album".into(),
            release_group_id: Some("rg".into()),
            ..Default::default()
        }];
        let q = query("Song", &["A", "B"], Some(200_000), None);
        let Decision::Matched {
            index,
            confidence,
            release,
        } = decide(&q, &[c.clone()], Evidence::Search)
        else {
            panic!("expected a match");
        };
        let m = c.recording_match(
            release.map(|r| &c.releases[r]),
            Evidence::Search,
            confidence,
        );
        assert_eq!(index, 0);
        assert_eq!(m.recording_id, "rec");
        assert_eq!(m.release_id.as_deref(), Some("rel"));
        assert_eq!(m.release_group_id.as_deref(), Some("rg"));
        assert_eq!(m.artist_ids, vec!["artist-A", "artist-B"]);
        assert_eq!(m.method, crate::model::MatchMethod::Search);
        assert!(m.confidence >= ACCEPT_THRESHOLD);
    }

    #[test]
    fn extra_words_are_another_song() {
        let q = query("Song, Pt. 2", &["Artist"], Some(200_000), None);
        let c = [cand("a", "Song", &["Artist"], Some(200_000), &[])];
        assert!(matches!(
            decide(&q, &c, Evidence::Search),
            Decision::Unmatched { .. }
        ));
        let c = [cand("a", "Song, Part 2", &["Artist"], Some(200_000), &[])];
        assert!(matches!(
            decide(&q, &c, Evidence::Search),
            Decision::Matched { .. }
        ));
    }

    #[test]
    fn artist_similarity_basics() {
        let s = |a: &[&str], b: &[&str]| {
            let a: Vec<String> = a.iter().map(|s| s.to_string()).collect();
            let b: Vec<String> = b.iter().map(|s| s.to_string()).collect();
            artist_similarity(&a, &b)
        };
        assert_eq!(s(&["The Beatles"], &["Beatles, The"]), 1.0);
        assert!(s(&["A", "B"], &["B", "A"]) > 0.99);
        assert!(s(&["A"], &["Z"]) < 0.5);
        assert_eq!(s(&[], &["A"]), 0.0);
    }

    #[test]
    fn release_choice() {
        let rel =
            |id: &str, title: &str, date: &str, types: &[&str], count: u32| CandidateRelease {
                id: id.into(),
                title: title.into(),
                primary_type: Some("Album".into()),
                secondary_types: types.iter().map(|s| s.to_string()).collect(),
                status: Some("Official".into()),
                date: Some(date.into()),
                track_count: Some(count),
                ..Default::default()
            };
        let mut c = cand("a", "Song", &["A"], None, &[]);
        c.releases = vec![
            rel("comp", "Greatest Hits", "1990", &["Compilation"], 20),
            rel("late", "Album", "2011-01-01", &[], 14),
            rel("orig", "Album", "1975-10-31", &[], 12),
        ];
        let mut q = query("Song", &["A"], None, None);
        assert_eq!(choose_release(&q, &c).unwrap().id, "orig");
        q.album = Some("Album (2011 Remaster)".into());
        q.album_release_date = Some("2011-01-01".into());
        assert_eq!(choose_release(&q, &c).unwrap().id, "late");
        q.album = Some("Greatest Hits".into());
        assert_eq!(choose_release(&q, &c).unwrap().id, "comp");
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        fn name() -> impl Strategy<Value = String> {
            prop_oneof![
                "[A-Za-z ]{0,12}",
                "\\PC{0,10}",
                Just("The Beatles".to_string()),
                Just("Beatles, The".to_string()),
                Just("Кино".to_string()),
                Just("Kino".to_string()),
                Just("宇多田ヒカル".to_string()),
                Just("Beyoncé".to_string()),
                Just("Simon & Garfunkel".to_string()),
            ]
        }

        fn names() -> impl Strategy<Value = Vec<String>> {
            proptest::collection::vec(name(), 0..4)
        }

        fn title() -> impl Strategy<Value = String> {
            (
                name(),
                prop_oneof![
                    Just(String::new()),
                    Just(" - Live".to_string()),
                    Just(" (Remastered 2009)".to_string()),
                    Just(" (feat. Kino)".to_string()),
                    Just(" - Four Tet Remix".to_string()),
                    Just(" (radio edit)".to_string()),
                ],
            )
                .prop_map(|(a, b)| a + &b)
        }

        fn candidate() -> impl Strategy<Value = Candidate> {
            (
                title(),
                names(),
                proptest::option::of(0u64..600_000),
                proptest::bool::ANY,
                proptest::option::of(name()),
            )
                .prop_map(|(t, a, len, isrc, dis)| Candidate {
                    recording_id: "r".into(),
                    title: t,
                    artists: a
                        .into_iter()
                        .map(|n| CandidateArtist {
                            id: "a".into(),
                            sort_name: Some(n.clone()),
                            name: n,
                            aliases: vec![],
                        })
                        .collect(),
                    length_ms: len,
                    isrcs: if isrc {
                        vec!["GBAHS1100095".into()]
                    } else {
                        vec![]
                    },
                    disambiguation: dis,
                    ..Default::default()
                })
        }

        fn query() -> impl Strategy<Value = TrackQuery> {
            (
                title(),
                names(),
                proptest::option::of(name()),
                proptest::option::of(0u64..600_000),
                proptest::bool::ANY,
            )
                .prop_map(|(t, a, album, ms, isrc)| TrackQuery {
                    title: t,
                    artists: a,
                    album,
                    duration_ms: ms,
                    isrc: isrc.then(|| "GBAHS1100095".to_string()),
                    ..Default::default()
                })
        }

        fn evidence() -> impl Strategy<Value = Evidence> {
            prop_oneof![
                Just(Evidence::Isrc),
                Just(Evidence::SpotifyUrl),
                Just(Evidence::ReleaseTracklist),
                Just(Evidence::Search)
            ]
        }

        proptest! {
            #[test]
            fn scores_are_within_bounds(q in query(), c in candidate(), e in evidence()) {
                let s = score(&q, &c, e);
                for v in [s.total, s.title, s.artist, s.duration.unwrap_or(0.0)] {
                    prop_assert!((0.0..=1.0).contains(&v), "{s:?}");
                }
                if s.refused || !s.versions_agree {
                    prop_assert!(s.total < ACCEPT_THRESHOLD);
                }
            }

            #[test]
            fn artist_similarity_is_symmetric_and_bounded(a in names(), b in names()) {
                let ab = artist_similarity(&a, &b);
                let ba = artist_similarity(&b, &a);
                prop_assert_eq!(ab, ba);
                prop_assert!((0.0..=1.0).contains(&ab));
                if !a.is_empty() && a.iter().all(|n| !normalize_artist(n).is_empty()) {
                    prop_assert!(artist_similarity(&a, &a) > 0.99);
                }
            }

            #[test]
            fn decide_never_matches_below_threshold(q in query(), cs in proptest::collection::vec(candidate(), 0..4), e in evidence()) {
                match decide(&q, &cs, e) {
                    Decision::Matched { index, confidence, .. } => {
                        prop_assert!(index < cs.len());
                        prop_assert!(confidence >= accept_threshold(e));
                    }
                    Decision::Unmatched { best } => {
                        prop_assert_eq!(best.is_some(), !cs.is_empty());
                    }
                }
            }
        }
    }
}
