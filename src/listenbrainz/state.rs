//! The push journal: which ListenBrainz playlist each trackvault playlist became, and the
//! recordings it was left holding. One JSON file per ListenBrainz account and server in the
//! archive, `push/listenbrainz/<key>.json`, where the key is a hash of the API URL and the
//! token (the token itself is never written). It is rewritten atomically after every request
//! that changed a playlist, so an interrupted push resumes from what the server really holds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::PushError;

pub const STATE_VERSION: u32 = 1;

/// The state key of Liked Songs (Spotify playlist ids are base62, so this never collides).
pub const LIKED_SONGS_KEY: &str = "liked-songs";

/// What one ListenBrainz playlist was left as by the last request that changed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemotePlaylist {
    pub mbid: String,
    pub title: String,
    pub public: bool,
    /// Recording MBIDs in order.
    pub recordings: Vec<String>,
    /// RFC 3339 UTC time of the last change.
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushState {
    pub version: u32,
    /// The API base this state belongs to.
    pub api_url: String,
    /// By Spotify playlist id, or [`LIKED_SONGS_KEY`].
    pub playlists: BTreeMap<String, RemotePlaylist>,
}

/// The state file of one account on one server.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    pub state: PushState,
}

impl StateFile {
    /// `push/listenbrainz/<key>.json` under `archive_root`.
    pub fn path_for(archive_root: &Path, api_url: &str, token: &str) -> PathBuf {
        let mut hash = Sha256::new();
        hash.update(api_url.trim_end_matches('/').as_bytes());
        hash.update([0u8]);
        hash.update(token.as_bytes());
        let key = hex::encode(&hash.finalize()[..8]);
        archive_root
            .join("push")
            .join("listenbrainz")
            .join(format!("{key}.json"))
    }

    /// Reads the state (an empty one when the file does not exist yet).
    pub fn load(archive_root: &Path, api_url: &str, token: &str) -> Result<Self, PushError> {
        let path = Self::path_for(archive_root, api_url, token);
        let bad = |detail: String| PushError::State {
            path: path.clone(),
            detail,
        };
        let state = match std::fs::read(&path) {
            Ok(bytes) => {
                let state: PushState = serde_json::from_slice(&bytes)
                    .map_err(|e| bad(format!("not valid push state JSON ({e})")))?;
                if state.version != STATE_VERSION {
                    return Err(bad(format!(
                        "it has version {}, this trackvault reads version {STATE_VERSION}",
                        state.version
                    )));
                }
                state
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => PushState {
                version: STATE_VERSION,
                api_url: api_url.trim_end_matches('/').to_string(),
                playlists: BTreeMap::new(),
            },
            Err(e) => return Err(bad(e.to_string())),
        };
        Ok(StateFile { path, state })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn get(&self, key: &str) -> Option<&RemotePlaylist> {
        self.state.playlists.get(key)
    }

    /// Records `remote` under `key` and writes the file atomically.
    pub fn set(&mut self, key: &str, mut remote: RemotePlaylist) -> Result<(), PushError> {
        remote.updated_at = now();
        self.state.playlists.insert(key.to_string(), remote);
        self.save()
    }

    /// Forgets `key` (its playlist was deleted on the server) and writes the file.
    pub fn forget(&mut self, key: &str) -> Result<(), PushError> {
        self.state.playlists.remove(key);
        self.save()
    }

    fn save(&self) -> Result<(), PushError> {
        let bytes = serde_json::to_vec_pretty(&self.state).map_err(|e| PushError::State {
            path: self.path.clone(),
            detail: e.to_string(),
        })?;
        crate::fsutil::write_atomic(&self.path, &bytes, Some(0o600)).map_err(|e| PushError::State {
            path: self.path.clone(),
            detail: e.to_string(),
        })
    }
}

pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_keys_by_server_and_token() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = StateFile::load(dir.path(), "http://lb/", "tok").unwrap();
        assert!(file.state.playlists.is_empty());
        let remote = RemotePlaylist {
            mbid: "m".into(),
            title: "t".into(),
            public: false,
            recordings: vec!["a".into(), "b".into()],
            updated_at: String::new(),
        };
        file.set("pl1", remote).unwrap();
        let again = StateFile::load(dir.path(), "http://lb", "tok").unwrap();
        assert_eq!(again.get("pl1").unwrap().recordings, ["a", "b"]);
        let other = StateFile::load(dir.path(), "http://lb", "other").unwrap();
        assert!(other.get("pl1").is_none());
        let text = std::fs::read_to_string(file.path()).unwrap();
        assert!(!text.contains("tok"), "the token is never written");
    }

    #[test]
    fn a_damaged_file_is_one_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = StateFile::path_for(dir.path(), "http://lb", "tok");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"{not json").unwrap();
        let err = StateFile::load(dir.path(), "http://lb", "tok").unwrap_err();
        assert!(matches!(err, PushError::State { .. }), "{err}");
        assert!(err.to_string().contains("move it away"));
    }
}
