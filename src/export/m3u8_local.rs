//! M3U8 pointing at the user's own files (`export --format m3u8 --local-library DIR`):
//! `#EXTM3U`, `#PLAYLIST:<name>`, then per found entry its ISRC/MBID comment, `#EXTINF:<file
//! seconds>,Artist - Title` and the file's path — relative to the playlist file's own folder
//! (Navidrome, Jellyfin) or absolute (Plex). Entries without a file get no line: they are
//! listed in `<playlist>.missing.txt` beside it and counted in the summary. Which file an
//! entry gets is decided by [`crate::local_library::resolve`].

use std::fmt::Write as _;
use std::path::{Component, Path};

use super::collections::{one_line, Collection, Row};
use super::summary::LeftOut;
use crate::local_library::{Method, PathStyle, Resolver};
use crate::model::EntryKind;

/// Reason recorded in the summary for entries with no local file.
pub const NOT_FOUND: &str = "not found in the local library";

/// The local library an M3U8 export resolves against.
#[derive(Debug, Clone)]
pub struct LocalTarget {
    pub resolver: Resolver,
    pub style: PathStyle,
}

/// One rendered playlist.
#[derive(Debug, Default)]
pub struct Rendered {
    pub m3u8: Vec<u8>,
    pub written: usize,
    /// One line per entry with no file (`12. Artist - Title (ISRC …)`).
    pub missing: Vec<String>,
    /// Entries found, per method.
    pub by_method: [usize; 3],
}

/// Renders `collection`; `playlist_dir` is the absolute folder the file will end up in.
pub fn render(
    collection: &Collection<'_>,
    target: &LocalTarget,
    playlist_dir: &Path,
    left_out: &mut LeftOut,
) -> Rendered {
    let mut out = Rendered::default();
    let mut text = String::with_capacity(160 * (collection.rows.len() + 1));
    text.push_str("#EXTM3U\n");
    let _ = writeln!(text, "#PLAYLIST:{}", one_line(&collection.name));
    for row in &collection.rows {
        let item = match (row.kind, row.item) {
            (EntryKind::Track | EntryKind::Local, Some(item)) => item,
            (kind, _) => {
                left_out.add_kind(kind);
                continue;
            }
        };
        let Some((track, method)) = target.resolver.resolve(item) else {
            left_out.add(NOT_FOUND);
            out.missing.push(missing_line(row));
            continue;
        };
        let ids = ids(row);
        if !ids.is_empty() {
            let _ = writeln!(text, "# {ids}");
        }
        let seconds = track
            .tags
            .duration_ms
            .or(item.duration_ms)
            .map_or_else(|| "-1".to_string(), |ms| (ms / 1000).to_string());
        let _ = writeln!(text, "#EXTINF:{seconds},{}", row.display_line());
        text.push_str(&resource(&track.path, playlist_dir, target.style));
        text.push('\n');
        out.written += 1;
        out.by_method[match method {
            Method::Mbid => 0,
            Method::Isrc => 1,
            Method::Name => 2,
        }] += 1;
    }
    out.m3u8 = text.into_bytes();
    out
}

/// The `<playlist>.missing.txt` text.
pub fn missing_file(collection: &Collection<'_>, root: &Path, missing: &[String]) -> Vec<u8> {
    let mut text = format!(
        "# {} entries of {:?} have no file under {} (tried: recording MBID, ISRC, artist + title + duration within 3 s)\n",
        missing.len(),
        one_line(&collection.name),
        root.display()
    );
    for line in missing {
        text.push_str(line);
        text.push('\n');
    }
    text.into_bytes()
}

fn ids(row: &Row<'_>) -> String {
    let mut ids = Vec::new();
    if let Some(isrc) = row.isrc() {
        ids.push(format!("ISRC {isrc}"));
    }
    if let Some(mbid) = row.recording_mbid() {
        ids.push(format!("MBID {mbid}"));
    }
    ids.join(" · ")
}

fn missing_line(row: &Row<'_>) -> String {
    let ids = ids(row);
    let position = u64::from(row.position) + 1;
    if ids.is_empty() {
        format!("{position}. {}", row.display_line())
    } else {
        format!("{position}. {} ({ids})", row.display_line())
    }
}

/// The resource line for `file` in a playlist stored in `playlist_dir`. Relative lines use
/// `/`; one that would start with `#` gets `./` so no reader takes it for a comment.
pub fn resource(file: &Path, playlist_dir: &Path, style: PathStyle) -> String {
    let line = match style {
        PathStyle::Absolute => None,
        PathStyle::Relative => relative(file, playlist_dir),
    };
    let line = line.unwrap_or_else(|| file.to_string_lossy().into_owned());
    if line.starts_with('#') {
        format!("./{line}")
    } else {
        line
    }
}

/// `file` relative to `dir` (both absolute), or `None` when they share no root (another
/// drive on Windows).
fn relative(file: &Path, dir: &Path) -> Option<String> {
    let file: Vec<Component<'_>> = file.components().collect();
    let dir: Vec<Component<'_>> = dir.components().collect();
    let common = file.iter().zip(&dir).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    for _ in common..dir.len() {
        parts.push("..".to_string());
    }
    for c in &file[common..] {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        let file = Path::new("/music/Artist/Album/01 Song.flac");
        assert_eq!(
            resource(
                file,
                Path::new("/music/playlists/m3u8"),
                PathStyle::Relative
            ),
            "../../Artist/Album/01 Song.flac"
        );
        assert_eq!(
            resource(file, Path::new("/music"), PathStyle::Relative),
            "Artist/Album/01 Song.flac"
        );
        assert_eq!(
            resource(file, Path::new("/elsewhere"), PathStyle::Absolute),
            "/music/Artist/Album/01 Song.flac"
        );
        assert_eq!(
            resource(
                Path::new("/m/#1 Hits/a.mp3"),
                Path::new("/m"),
                PathStyle::Relative
            ),
            "./#1 Hits/a.mp3"
        );
    }
}
