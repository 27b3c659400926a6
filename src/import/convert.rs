//! Turning the download's JSON into a [`Library`]. Every field is checked by hand so an error
//! names the file and the exact field (`Playlist1.json: playlists[2].items[7].track.trackUri`).
//! Unknown fields are ignored (Spotify adds some now and then); missing names become "".

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::bounded_json;
use super::download::{DownloadFiles, SourceFile};
use super::ImportError;
use crate::ids;
use crate::model::{
    Album, AlbumRef, Artist, ArtistRef, Contents, Entry, EntryKind, Item, Library, Owner, Playlist,
    SavedAlbum, SavedShow, Show, ShowRef, User, SOURCE_DATA_DOWNLOAD,
};

/// The converted library, and for each of its playlists the index of the file it came from.
pub struct Converted {
    pub library: Library,
    pub playlist_file: Vec<usize>,
}

/// A stable id for a playlist the download names but does not identify: `dl-` and 22 hex
/// digits of SHA-256 over the name and its occurrence number (for same-named playlists), so
/// importing the same download twice gives the same ids and `diff`/`log` can follow them.
pub fn playlist_id_for(name: &str, occurrence: usize) -> String {
    let digest = Sha256::digest(format!("{occurrence}\u{0}{name}").as_bytes());
    format!("dl-{}", &hex::encode(digest)[..22])
}

/// One JSON value with the file and path it came from, for error messages.
#[derive(Clone, Copy)]
struct At<'a> {
    file: &'a str,
    value: &'a Value,
}

impl<'a> At<'a> {
    fn error(&self, field: &str, detail: impl Into<String>) -> ImportError {
        ImportError::Malformed {
            file: self.file.to_string(),
            field: if field.is_empty() {
                "(top level)".to_string()
            } else {
                field.to_string()
            },
            detail: detail.into(),
        }
    }

    fn object(&self, path: &str) -> Result<&'a Map<String, Value>, ImportError> {
        self.value.as_object().ok_or_else(|| {
            self.error(
                path,
                format!("should be an object but is {}", kind(self.value)),
            )
        })
    }

    /// `key` as a string; missing or null → None; anything else is an error.
    fn opt_str(&self, path: &str, key: &str) -> Result<Option<&'a str>, ImportError> {
        match self.object(path)?.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.error(
                &join(path, key),
                format!("should be a string but is {}", kind(other)),
            )),
        }
    }

    /// A required Spotify URI of the given type (`track`, `album`, …).
    fn uri(&self, path: &str, key: &str, types: &[&str]) -> Result<&'a str, ImportError> {
        let field = join(path, key);
        let uri = self
            .opt_str(path, key)?
            .ok_or_else(|| self.error(&field, "is missing"))?;
        // Identifiers are checked for their exact shape here, at the boundary: a URI with a
        // line break or a control character would otherwise reach playlist files.
        let ok = types.iter().any(|t| match *t {
            "local" => ids::is_local_uri(uri),
            t => ids::is_spotify_uri_of(uri, &[t]),
        });
        if !ok {
            let wanted: Vec<String> = types.iter().map(|t| format!("spotify:{t}:…")).collect();
            return Err(self.error(
                &field,
                format!(
                    "should be a {} URI (a 22-character id) but is {}",
                    wanted.join(" or "),
                    quoted(uri)
                ),
            ));
        }
        Ok(uri)
    }

    /// `key` as an array; missing or null → empty.
    fn opt_array(&self, path: &str, key: &str) -> Result<&'a [Value], ImportError> {
        match self.object(path)?.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(self.error(
                &join(path, key),
                format!("should be a list but is {}", kind(other)),
            )),
        }
    }

    fn child(&self, value: &'a Value) -> At<'a> {
        At {
            file: self.file,
            value,
        }
    }
}

/// A value from the file for an error message: debug-quoted (control characters escaped) and
/// cut to a readable length.
fn quoted(value: &str) -> String {
    const MAX_CHARS: usize = 120;
    if value.chars().count() <= MAX_CHARS {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(MAX_CHARS).collect();
        format!("{head:?}…")
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn parse(file: &SourceFile) -> Result<Value, ImportError> {
    // Files saved by some editors start with a UTF-8 byte order mark; JSON allows none, but
    // it carries no meaning, so it is skipped.
    bounded_json::parse(bounded_json::strip_bom(&file.bytes)).map_err(|e| match e {
        bounded_json::ParseError::Syntax(e) => ImportError::Syntax {
            file: file.name.clone(),
            line: e.line(),
            column: e.column(),
            detail: e.to_string(),
        },
        bounded_json::ParseError::TooManyValues => ImportError::TooManyValues {
            file: file.name.clone(),
            limit: bounded_json::MAX_JSON_UNITS,
        },
    })
}

/// A list index or length as the model's `u32` (saturating; the size caps keep real lists far
/// below it).
fn index_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn id_of(uri: &str) -> Option<String> {
    uri.rsplit(':').next().map(str::to_string)
}

fn artists_from(name: Option<&str>) -> Vec<ArtistRef> {
    // The download gives one artist string; it is kept whole (splitting on "," would break
    // names like "Tyler, The Creator").
    name.filter(|n| !n.is_empty())
        .map(|n| {
            vec![ArtistRef {
                id: None,
                name: n.to_string(),
            }]
        })
        .unwrap_or_default()
}

fn bare_item(item_type: &str, uri: &str, name: Option<&str>) -> Item {
    Item::bare(item_type, id_of(uri), uri, name.unwrap_or_default())
}

/// Converts the files `read_download` found.
pub fn convert(files: &DownloadFiles) -> Result<Converted, ImportError> {
    let username = match &files.userdata {
        Some(file) => {
            let value = parse(file)?;
            let at = At {
                file: &file.name,
                value: &value,
            };
            // The user name becomes the owner id of every playlist: held to a user id's shape
            // (no whitespace or control characters), otherwise unknown.
            at.opt_str("", "username")?
                .filter(|name| ids::is_user_id(name))
                .map(str::to_string)
        }
        None => None,
    };
    let user = User {
        id: username.clone().unwrap_or_else(|| "unknown".to_string()),
        display_name: None,
        account_id: None,
    };
    let mut library = Library::empty(SOURCE_DATA_DOWNLOAD, user);
    if let Some(file) = &files.library {
        convert_library(file, &mut library)?;
    }
    let mut playlist_file = Vec::new();
    let mut occurrences: std::collections::HashMap<String, usize> = Default::default();
    for (index, file) in files.playlists.iter().enumerate() {
        let value = parse(file)?;
        let at = At {
            file: &file.name,
            value: &value,
        };
        if !at.object("")?.contains_key("playlists") {
            return Err(at.error("playlists", "is missing"));
        }
        for (i, p) in at.opt_array("", "playlists")?.iter().enumerate() {
            let path = format!("playlists[{i}]");
            let mut playlist = convert_playlist(at.child(p), &path, username.as_deref())?;
            let n = occurrences.entry(playlist.name.clone()).or_default();
            playlist.id = playlist_id_for(&playlist.name, *n);
            *n += 1;
            library.playlists.push(playlist);
            playlist_file.push(index);
        }
    }
    Ok(Converted {
        library,
        playlist_file,
    })
}

const LIBRARY_KEYS: [&str; 5] = ["tracks", "albums", "shows", "episodes", "artists"];

fn convert_library(file: &SourceFile, library: &mut Library) -> Result<(), ImportError> {
    let value = parse(file)?;
    let at = At {
        file: &file.name,
        value: &value,
    };
    let top = at.object("")?;
    if !LIBRARY_KEYS.iter().any(|k| top.contains_key(*k)) {
        return Err(at.error(
            "tracks",
            "is missing (none of tracks, albums, shows, episodes, artists found)",
        ));
    }
    for (i, v) in at.opt_array("", "tracks")?.iter().enumerate() {
        let path = format!("tracks[{i}]");
        library
            .liked_tracks
            .push(liked_track(at.child(v), &path, i)?);
    }
    for (i, v) in at.opt_array("", "albums")?.iter().enumerate() {
        let path = format!("albums[{i}]");
        library.saved_albums.push(saved_album(at.child(v), &path)?);
    }
    for (i, v) in at.opt_array("", "shows")?.iter().enumerate() {
        let path = format!("shows[{i}]");
        library.saved_shows.push(saved_show(at.child(v), &path)?);
    }
    for (i, v) in at.opt_array("", "episodes")?.iter().enumerate() {
        let path = format!("episodes[{i}]");
        library
            .saved_episodes
            .push(saved_episode(at.child(v), &path, i)?);
    }
    for (i, v) in at.opt_array("", "artists")?.iter().enumerate() {
        let path = format!("artists[{i}]");
        library
            .followed_artists
            .push(followed_artist(at.child(v), &path)?);
    }
    Ok(())
}

/// One row of `tracks`: a liked song, or a local file (which has no Spotify id).
fn liked_track(t: At<'_>, path: &str, i: usize) -> Result<Entry, ImportError> {
    let uri = t.uri(path, "uri", &["track", "local"])?;
    let mut item = bare_item("track", uri, t.opt_str(path, "track")?);
    item.artists = artists_from(t.opt_str(path, "artist")?);
    item.album = t.opt_str(path, "album")?.map(|name| AlbumRef {
        id: None,
        name: name.to_string(),
        release_date: None,
    });
    let kind = if uri.starts_with("spotify:local:") {
        item.id = None;
        EntryKind::Local
    } else {
        EntryKind::Track
    };
    Ok(Entry {
        position: index_u32(i),
        added_at: None,
        added_by: None,
        kind,
        item: Some(item),
    })
}

/// One row of `albums`: a saved album, without its tracks (the download has none).
fn saved_album(a: At<'_>, path: &str) -> Result<SavedAlbum, ImportError> {
    let uri = a.uri(path, "uri", &["album"])?;
    Ok(SavedAlbum {
        added_at: None,
        album: Album {
            id: id_of(uri).unwrap_or_default(),
            uri: uri.to_string(),
            name: a.opt_str(path, "album")?.unwrap_or_default().to_string(),
            artists: artists_from(a.opt_str(path, "artist")?),
            release_date: None,
            total_tracks: None,
            upc: None,
            tracks: Vec::new(),
            musicbrainz: None,
        },
    })
}

/// One row of `shows`: a saved show.
fn saved_show(s: At<'_>, path: &str) -> Result<SavedShow, ImportError> {
    let uri = s.uri(path, "uri", &["show"])?;
    Ok(SavedShow {
        added_at: None,
        show: Show {
            id: id_of(uri).unwrap_or_default(),
            uri: uri.to_string(),
            name: s.opt_str(path, "name")?.unwrap_or_default().to_string(),
            publisher: s.opt_str(path, "publisher")?.map(str::to_string),
            total_episodes: None,
        },
    })
}

/// One row of `episodes`: a saved episode.
fn saved_episode(e: At<'_>, path: &str, i: usize) -> Result<Entry, ImportError> {
    let uri = e.uri(path, "uri", &["episode"])?;
    let mut item = bare_item("episode", uri, e.opt_str(path, "name")?);
    item.show = e.opt_str(path, "show")?.map(|name| ShowRef {
        id: None,
        name: name.to_string(),
    });
    Ok(Entry {
        position: index_u32(i),
        added_at: None,
        added_by: None,
        kind: EntryKind::Episode,
        item: Some(item),
    })
}

/// One row of `artists`: a followed artist.
fn followed_artist(a: At<'_>, path: &str) -> Result<Artist, ImportError> {
    let uri = a.uri(path, "uri", &["artist"])?;
    Ok(Artist {
        id: id_of(uri).unwrap_or_default(),
        uri: uri.to_string(),
        name: a.opt_str(path, "name")?.unwrap_or_default().to_string(),
        genres: Vec::new(),
        musicbrainz: None,
    })
}

fn convert_playlist(at: At<'_>, path: &str, owner: Option<&str>) -> Result<Playlist, ImportError> {
    let name = at
        .opt_str(path, "name")?
        .ok_or_else(|| at.error(&join(path, "name"), "is missing"))?;
    let description = at.opt_str(path, "description")?.map(str::to_string);
    let collaborative = !at.opt_array(path, "collaborators")?.is_empty();
    let mut entries = Vec::new();
    for (i, v) in at.opt_array(path, "items")?.iter().enumerate() {
        let item_path = format!("{path}.items[{i}]");
        entries.push(convert_entry(at.child(v), &item_path, index_u32(i))?);
    }
    Ok(Playlist {
        id: String::new(),
        name: name.to_string(),
        description,
        owner: Owner {
            id: owner.unwrap_or("unknown").to_string(),
            display_name: None,
        },
        public: None,
        collaborative,
        snapshot_id: None,
        total: index_u32(entries.len()),
        contents: Contents::Complete,
        not_accessible_reason: None,
        entries,
    })
}

const SLOTS: [&str; 4] = ["track", "episode", "localTrack", "audiobook"];

fn convert_entry(at: At<'_>, path: &str, position: u32) -> Result<Entry, ImportError> {
    let fields = at.object(path)?;
    if !SLOTS.iter().any(|k| fields.contains_key(*k)) {
        return Err(at.error(
            &join(path, "track"),
            "is missing (an entry needs one of track, episode, localTrack, audiobook)",
        ));
    }
    let added_at = match at.opt_str(path, "addedDate")? {
        None => None,
        Some(date) => Some(day_to_rfc3339(date).ok_or_else(|| {
            at.error(
                &join(path, "addedDate"),
                format!("should be a date like 2023-04-06 but is {date:?}"),
            )
        })?),
    };
    let slot = |key: &str| {
        fields
            .get(key)
            .filter(|v| !v.is_null())
            .map(|v| at.child(v))
    };
    let (kind, item) = if let Some(t) = slot("track") {
        let p = join(path, "track");
        let uri = t.uri(&p, "trackUri", &["track"])?;
        let mut item = bare_item("track", uri, t.opt_str(&p, "trackName")?);
        item.artists = artists_from(t.opt_str(&p, "artistName")?);
        item.album = t.opt_str(&p, "albumName")?.map(|name| AlbumRef {
            id: None,
            name: name.to_string(),
            release_date: None,
        });
        (EntryKind::Track, Some(item))
    } else if let Some(e) = slot("episode") {
        let p = join(path, "episode");
        let uri = e.uri(&p, "episodeUri", &["episode"])?;
        let mut item = bare_item("episode", uri, e.opt_str(&p, "episodeName")?);
        item.show = e.opt_str(&p, "showName")?.map(|name| ShowRef {
            id: None,
            name: name.to_string(),
        });
        (EntryKind::Episode, Some(item))
    } else if let Some(l) = slot("localTrack") {
        let p = join(path, "localTrack");
        let uri = l.uri(&p, "uri", &["local"])?;
        (EntryKind::Local, Some(local_item(uri)))
    } else if let Some(b) = slot("audiobook") {
        // Not a track or an episode; kept as a non-music entry so positions stay right.
        let p = join(path, "audiobook");
        let key = if b.object(&p)?.contains_key("audiobookUri") {
            "audiobookUri"
        } else {
            "uri"
        };
        let uri = b.uri(&p, key, &["audiobook"])?;
        let name = match b.opt_str(&p, "audiobookName")? {
            Some(name) => Some(name),
            None => b.opt_str(&p, "name")?,
        };
        (EntryKind::Episode, Some(bare_item("audiobook", uri, name)))
    } else {
        // Every slot null: the item is gone, like the API's null rows.
        (EntryKind::Unavailable, None)
    };
    Ok(Entry {
        position,
        added_at,
        added_by: None,
        kind,
        item,
    })
}

/// `2023-04-06` → `2023-04-06T00:00:00Z`.
fn day_to_rfc3339(date: &str) -> Option<String> {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .map(|d| format!("{}T00:00:00Z", d.format("%Y-%m-%d")))
}

/// A local file's item, with names and duration read from its URI
/// (`spotify:local:Artist:Album:Title:seconds`, `+` for spaces, percent-encoded; read from the
/// right because only the first fields may be empty).
fn local_item(uri: &str) -> Item {
    let rest = uri.strip_prefix("spotify:local:").unwrap_or_default();
    let mut parts: Vec<&str> = rest.split(':').collect();
    let seconds = if parts.len() >= 4 {
        parts.pop().and_then(|s| s.parse::<u64>().ok())
    } else {
        None
    };
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let title = parts.pop().map(decode).unwrap_or_default();
    let (artist, album) = match parts.as_slice() {
        [artist, album] => (decode(artist), decode(album)),
        [artist] => (decode(artist), String::new()),
        _ => (String::new(), String::new()),
    };
    let mut item = bare_item("track", uri, Some(&title));
    item.id = None;
    item.artists = artists_from(Some(&artist));
    item.album = (!album.is_empty()).then_some(AlbumRef {
        id: None,
        name: album,
        release_date: None,
    });
    // The seconds come from outside: a value too large for milliseconds means "unknown",
    // never a wrapped-around duration.
    item.duration_ms = seconds.and_then(|s| s.checked_mul(1000));
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_uris_are_read_from_the_right() {
        let item = local_item("spotify:local:Woodkid:The+Golden+Age:Run+Boy+Run:215");
        assert_eq!(item.name, "Run Boy Run");
        assert_eq!(item.artists[0].name, "Woodkid");
        assert_eq!(item.album.as_ref().unwrap().name, "The Golden Age");
        assert_eq!(item.duration_ms, Some(215_000));
        assert_eq!(item.id, None);
        let item = local_item("spotify:local:::A%3A+B:60");
        assert_eq!(item.name, "A: B");
        assert!(item.artists.is_empty());
    }

    #[test]
    fn playlist_ids_are_stable_and_distinct_for_same_names() {
        assert_eq!(playlist_id_for("Mix", 0), playlist_id_for("Mix", 0));
        assert_ne!(playlist_id_for("Mix", 0), playlist_id_for("Mix", 1));
        assert_eq!(playlist_id_for("Mix", 0).len(), 25);
    }
}
