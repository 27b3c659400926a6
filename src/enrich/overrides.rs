//! User overrides: Spotify track id → recording MBID, or `none` to keep a track unmatched.
//! Applied before any lookup, so an overridden track costs no request.
//!
//! The file is CSV. Either two columns without a header (`spotify_id,recording_mbid`), or any
//! columns with a header naming `spotify_id` and `override` — which is exactly the review CSV
//! that `trackvault enrich --review FILE` writes: fill in the `override` column (copy the
//! `candidate_recording_id`, paste another MBID, or write `none`) and pass the same file back
//! with `--overrides FILE`. Rows with an empty override are ignored; `#` starts a comment line.
//! Spotify ids may also be given as `spotify:track:…` URIs or `open.spotify.com` links.

use std::collections::HashMap;
use std::path::Path;

use super::error::EnrichError;

/// What the user decided for one track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    Recording(String),
    /// Leave unmatched; never look it up.
    None,
}

/// Overrides by Spotify track id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides(pub HashMap<String, Override>);

impl Overrides {
    pub fn get(&self, spotify_id: &str) -> Option<&Override> {
        self.0.get(spotify_id)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn load(path: &Path) -> Result<Self, EnrichError> {
        let text = std::fs::read_to_string(path).map_err(|e| EnrichError::Overrides {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        Self::parse(&text).map_err(|detail| EnrichError::Overrides {
            path: path.to_path_buf(),
            detail,
        })
    }

    /// Parses the CSV text; the error names the offending line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut columns = (0usize, 1usize);
        let mut overrides = HashMap::new();
        for (index, record) in reader.records().enumerate() {
            let record = record.map_err(|e| format!("unreadable CSV ({e})"))?;
            let line = record.position().map_or(index as u64 + 1, |p| p.line());
            if index == 0 && record.iter().any(|f| f.eq_ignore_ascii_case("spotify_id")) {
                let find = |names: &[&str]| {
                    record
                        .iter()
                        .position(|f| names.iter().any(|n| f.eq_ignore_ascii_case(n)))
                };
                let id = find(&["spotify_id"]).unwrap_or(0);
                let value = find(&["override", "recording_mbid", "recording_id"])
                    .ok_or_else(|| "the header has no `override` column".to_string())?;
                columns = (id, value);
                continue;
            }
            let id = record.get(columns.0).unwrap_or_default();
            let value = record.get(columns.1).unwrap_or_default();
            if id.is_empty() || value.is_empty() {
                continue;
            }
            let id = spotify_track_id(id)
                .ok_or_else(|| format!("line {line}: `{id}` is not a Spotify track id"))?;
            let value = if value.eq_ignore_ascii_case("none") {
                Override::None
            } else if is_mbid(value) {
                Override::Recording(value.to_ascii_lowercase())
            } else {
                return Err(format!(
                    "line {line}: `{value}` is neither a recording MBID nor `none`"
                ));
            };
            overrides.insert(id, value);
        }
        Ok(Overrides(overrides))
    }
}

/// The bare id from `ID`, `spotify:track:ID` or `https://open.spotify.com/track/ID?si=…`.
fn spotify_track_id(text: &str) -> Option<String> {
    let tail = text
        .strip_prefix("spotify:track:")
        .or_else(|| text.split("/track/").nth(1))
        .unwrap_or(text);
    let id = tail.split(['?', '/', '#']).next().unwrap_or_default();
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())).then(|| id.to_string())
}

/// `8-4-4-4-12` hex digits.
pub fn is_mbid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MBID: &str = "17eb8cd6-7bb0-4579-90af-dc38c1b3fc6a";

    #[test]
    fn reads_plain_pairs_uris_links_and_none() {
        let text = format!(
            "# my fixes\n4uLU6hMCjMI75M1A2tKUQC,{MBID}\nspotify:track:abc,none\nhttps://open.spotify.com/track/def?si=1,{}\n",
            MBID.to_uppercase()
        );
        let o = Overrides::parse(&text).unwrap();
        assert_eq!(o.len(), 3);
        assert_eq!(
            o.get("4uLU6hMCjMI75M1A2tKUQC"),
            Some(&Override::Recording(MBID.into()))
        );
        assert_eq!(o.get("abc"), Some(&Override::None));
        assert_eq!(o.get("def"), Some(&Override::Recording(MBID.into())));
    }

    #[test]
    fn reads_an_edited_review_file_by_header() {
        let text = format!(
            "spotify_id,override,status,title\nt1,{MBID},unmatched,Song\nt2,,unmatched,Other\nt3,NONE,low_confidence,X\n"
        );
        let o = Overrides::parse(&text).unwrap();
        assert_eq!(o.len(), 2);
        assert_eq!(o.get("t3"), Some(&Override::None));
        assert_eq!(o.get("t2"), None);
    }

    #[test]
    fn rejects_values_that_are_not_mbids_with_the_line() {
        let err = Overrides::parse("t1,not-an-id\n").unwrap_err();
        assert!(err.contains("line 1"), "{err}");
        let err = Overrides::parse("spotify_id,title\nt1,x\n").unwrap_err();
        assert!(err.contains("override"), "{err}");
    }
}
