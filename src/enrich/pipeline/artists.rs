//! The MusicBrainz artist each followed artist ends up with.

use std::collections::{HashMap, HashSet};

use super::links::artist_url;
use super::run::Run;
use crate::enrich::normalize::normalize_artist;
use crate::model::{ArtistMatch, Library, MatchMethod};

impl Run<'_> {
    pub(super) fn apply_artists(&self, library: &mut Library) -> (usize, usize) {
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
            // An id from an answer that is not an MBID is never recorded (`crate::ids`).
            let found = found.filter(|(id, _, _)| crate::ids::is_mbid(id));
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
