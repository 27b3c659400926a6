//! The numbers behind the report's charts, counted from one library and its timeline.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::charts::Point;
use super::timeline::Timeline;
use crate::model::{Entry, EntryKind, Library, MatchMethod};

/// The "tracks added per month" chart covers at most this many months, ending with the newest:
/// an `added_at` from year 1 must not make a chart of 24,000 empty columns.
const MAX_MONTHS: usize = 480;
const TOP_ARTISTS: usize = 15;

/// Entries (liked songs, playlist entries, saved episodes) in each snapshot, by its date.
pub fn size_over_time(timeline: &Timeline) -> Vec<Point> {
    timeline
        .snapshots
        .iter()
        .map(|s| Point {
            label: s.created_at.get(..10).unwrap_or(&s.snapshot).to_string(),
            value: s.entries() as u64,
        })
        .collect()
}

fn music_entries(library: &Library) -> impl Iterator<Item = &Entry> {
    library
        .liked_tracks
        .iter()
        .chain(library.playlists.iter().flat_map(|p| &p.entries))
        .filter(|e| e.kind == EntryKind::Track)
}

/// Tracks the user added: liked songs, and playlist tracks added by them (or, where Spotify
/// does not say who added it, in a playlist they own). A followed playlist's dates are its
/// owner's, not the user's.
fn added_by_user(library: &Library) -> impl Iterator<Item = &Entry> {
    let user = library.user.id.as_str();
    let in_playlists = library.playlists.iter().flat_map(move |p| {
        p.entries
            .iter()
            .filter(move |e| match e.added_by.as_deref() {
                Some(by) => by == user,
                None => p.owner.id == user,
            })
    });
    library
        .liked_tracks
        .iter()
        .chain(in_playlists)
        .filter(|e| e.kind == EntryKind::Track)
}

/// Tracks the user added, by month, every month in the range present (months with none
/// count 0).
pub fn added_per_month(library: &Library) -> Vec<Point> {
    let mut counts: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    for entry in added_by_user(library) {
        if let Some(month) = entry.added_at.as_deref().and_then(year_month) {
            *counts.entry(month).or_default() += 1;
        }
    }
    let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().next_back()) else {
        return Vec::new();
    };
    let index = |(y, m): (u32, u32)| y as usize * 12 + (m as usize - 1);
    let start = index(first).max(index(last).saturating_sub(MAX_MONTHS - 1));
    (start..=index(last))
        .map(|i| {
            let month = ((i / 12) as u32, (i % 12) as u32 + 1);
            Point {
                label: format!("{:04}-{:02}", month.0, month.1),
                value: counts.get(&month).copied().unwrap_or(0),
            }
        })
        .collect()
}

fn year_month(added_at: &str) -> Option<(u32, u32)> {
    let year: u32 = added_at.get(..4)?.parse().ok()?;
    let month: u32 = added_at.get(5..7)?.parse().ok()?;
    (added_at.as_bytes().get(4) == Some(&b'-') && (1..=12).contains(&month) && year <= 9999)
        .then_some((year, month))
}

/// Artists with the most liked songs and playlist tracks (each track counted once, however
/// many playlists hold it).
pub fn top_artists(library: &Library) -> Vec<Point> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut counts: HashMap<&str, (u64, &str)> = HashMap::new();
    for item in music_entries(library).filter_map(|e| e.item.as_ref()) {
        if !seen.insert(item.uri.as_str()) {
            continue;
        }
        for artist in &item.artists {
            let key = artist.id.as_deref().unwrap_or(&artist.name);
            counts.entry(key).or_insert((0, &artist.name)).0 += 1;
        }
    }
    let mut top: Vec<(u64, &str)> = counts.into_values().collect();
    top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    top.into_iter()
        .take(TOP_ARTISTS)
        .map(|(value, name)| Point {
            label: name.to_string(),
            value,
        })
        .collect()
}

/// Distinct tracks of the library by how their MusicBrainz recording was found, and how many
/// carry an ISRC.
pub fn identifier_coverage(library: &Library) -> (Vec<Point>, usize, usize) {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut by_method: HashMap<Option<MatchMethod>, u64> = HashMap::new();
    let mut with_isrc = 0;
    for item in library.items().filter(|i| i.item_type == "track") {
        if !seen.insert(item.uri.as_str()) {
            continue;
        }
        *by_method
            .entry(item.musicbrainz.as_ref().map(|m| m.method))
            .or_default() += 1;
        with_isrc += usize::from(item.isrc.is_some());
    }
    let order = [
        (Some(MatchMethod::Isrc), "ISRC"),
        (Some(MatchMethod::SpotifyUrl), "Spotify link"),
        (Some(MatchMethod::ReleaseTracklist), "Release tracklist"),
        (Some(MatchMethod::Search), "Search"),
        (Some(MatchMethod::Override), "Override"),
        (None, "Unmatched"),
    ];
    let points = order
        .iter()
        .map(|(method, label)| Point {
            label: label.to_string(),
            value: by_method.get(method).copied().unwrap_or(0),
        })
        .collect();
    (points, with_isrc, seen.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_checked_and_the_range_is_bounded() {
        assert_eq!(year_month("2024-03-05T00:00:00Z"), Some((2024, 3)));
        assert_eq!(year_month("2024-13-05"), None);
        assert_eq!(year_month("20x4-03"), None);
        assert_eq!(year_month("é"), None);
        let mut library = Library::empty("spotify-web-api", Default::default());
        for (i, added) in [
            "0001-01-01T00:00:00Z",
            "2026-02-01T00:00:00Z",
            "2026-04-09T00:00:00Z",
        ]
        .iter()
        .enumerate()
        {
            library.liked_tracks.push(Entry {
                position: i as u32,
                added_at: Some(added.to_string()),
                added_by: None,
                kind: EntryKind::Track,
                item: Some(crate::model::Item::bare(
                    "track",
                    None,
                    &format!("spotify:track:{i}"),
                    "t",
                )),
            });
        }
        let months = added_per_month(&library);
        assert_eq!(months.len(), MAX_MONTHS);
        assert_eq!(months.last().unwrap().label, "2026-04");
        let march = months.iter().find(|p| p.label == "2026-03").unwrap();
        assert_eq!(march.value, 0);
    }

    #[test]
    fn only_what_the_user_added_counts_as_added() {
        let mut library = Library::empty("spotify-web-api", Default::default());
        library.user.id = "me".into();
        let entry = |added_by: Option<&str>| Entry {
            position: 0,
            added_at: Some("2025-05-01T00:00:00Z".into()),
            added_by: added_by.map(str::to_string),
            kind: EntryKind::Track,
            item: Some(crate::model::Item::bare(
                "track",
                None,
                "spotify:track:t",
                "t",
            )),
        };
        let playlist = |owner: &str, entries: Vec<Entry>| crate::model::Playlist {
            id: owner.into(),
            name: owner.into(),
            description: None,
            owner: crate::model::Owner {
                id: owner.into(),
                display_name: None,
            },
            public: None,
            collaborative: true,
            snapshot_id: None,
            total: entries.len() as u32,
            contents: crate::model::Contents::Complete,
            not_accessible_reason: None,
            entries,
        };
        library.playlists = vec![
            // Mine: undated "who" counts, a friend's addition does not.
            playlist("me", vec![entry(None), entry(Some("friend"))]),
            // Followed: the owner's additions do not count; mine in it (collaborative) do.
            playlist(
                "spotify",
                vec![entry(None), entry(Some("spotify")), entry(Some("me"))],
            ),
        ];
        library.liked_tracks = vec![entry(None)];
        let months = added_per_month(&library);
        assert_eq!(months.len(), 1);
        assert_eq!(months[0].value, 3);
    }
}
