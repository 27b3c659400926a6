//! The saved login, `<config_dir>/token.json`: readable by its owner only (0600), replaced
//! atomically (temporary file in the same directory, fsync, rename) so a crash never leaves a
//! half-written token, and read back with clear errors instead of panics.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::describe_json_error;
use super::{AuthError, Secret};

/// File name of the saved login inside the config directory.
pub const TOKEN_FILE_NAME: &str = "token.json";

/// Spotify ends a login six months after consent; warn from about five and a half months.
const LOGIN_AGE_WARNING_DAYS: i64 = 167;

/// A saved Spotify login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredToken {
    /// The app the tokens were issued to; refreshing must use the same client id.
    pub client_id: String,
    pub access_token: Secret,
    pub refresh_token: Secret,
    pub expires_at: DateTime<Utc>,
    /// Space-separated scopes Spotify granted.
    pub scope: String,
    /// When the user consented; the refresh token dies six months later.
    pub authorized_at: DateTime<Utc>,
}

/// The on-disk form. Kept private so no public type serializes a secret by accident.
#[derive(Serialize, Deserialize)]
struct TokenFile {
    client_id: String,
    access_token: String,
    refresh_token: String,
    expires_at: DateTime<Utc>,
    #[serde(default)]
    scope: String,
    authorized_at: DateTime<Utc>,
}

/// `<config_dir>/token.json`.
pub fn token_path(config_dir: &Path) -> PathBuf {
    config_dir.join(TOKEN_FILE_NAME)
}

/// Reads the saved login; [`AuthError::NotLoggedIn`] when there is none.
pub fn load_token(config_dir: &Path) -> Result<StoredToken, AuthError> {
    let path = token_path(config_dir);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            return Err(AuthError::NotLoggedIn { path })
        }
        Err(source) => return Err(AuthError::ReadTokenFile { path, source }),
    };
    warn_if_readable_by_others(&path);
    let file: TokenFile =
        serde_json::from_slice(&bytes).map_err(|err| corrupt(&path, describe_json_error(&err)))?;
    for (name, value) in [
        ("client_id", &file.client_id),
        ("access_token", &file.access_token),
        ("refresh_token", &file.refresh_token),
    ] {
        if value.is_empty() {
            return Err(corrupt(&path, format!("its {name} is empty")));
        }
    }
    Ok(StoredToken {
        client_id: file.client_id,
        access_token: Secret::new(file.access_token),
        refresh_token: Secret::new(file.refresh_token),
        expires_at: file.expires_at,
        scope: file.scope,
        authorized_at: file.authorized_at,
    })
}

/// Saves the login atomically with mode 0600, creating the directory (0700) if needed.
/// Returns the path of the token file.
pub fn save_token(config_dir: &Path, token: &StoredToken) -> Result<PathBuf, AuthError> {
    let path = token_path(config_dir);
    let file = TokenFile {
        client_id: token.client_id.clone(),
        access_token: token.access_token.expose().to_owned(),
        refresh_token: token.refresh_token.expose().to_owned(),
        expires_at: token.expires_at,
        scope: token.scope.clone(),
        authorized_at: token.authorized_at,
    };
    let mut json = serde_json::to_vec_pretty(&file).map_err(|err| AuthError::WriteTokenFile {
        path: path.clone(),
        source: io::Error::other(err),
    })?;
    json.push(b'\n');
    create_private_dir(config_dir)
        .and_then(|()| crate::fsutil::write_atomic(&path, &json, Some(0o600)))
        .map_err(|source| AuthError::WriteTokenFile {
            path: path.clone(),
            source,
        })?;
    Ok(path)
}

/// Deletes the saved login; `Ok(false)` when there was none.
pub fn logout(config_dir: &Path) -> Result<bool, AuthError> {
    let path = token_path(config_dir);
    match fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(AuthError::DeleteTokenFile { path, source }),
    }
}

/// A warning when a login is close to Spotify's six-month limit, `None` otherwise.
pub fn login_age_warning(authorized_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    let days = (now - authorized_at).num_days();
    (days >= LOGIN_AGE_WARNING_DAYS).then(|| {
        format!(
            "your Spotify login is {days} days old and Spotify ends a login six months after \
             consent; run `trackvault login` again soon so a backup is not interrupted"
        )
    })
}

fn corrupt(path: &Path, reason: String) -> AuthError {
    AuthError::CorruptTokenFile {
        path: path.to_path_buf(),
        reason,
    }
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(
                    "the saved Spotify login {} can be read by other users; run `chmod 600` on it",
                    path.display()
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn sample() -> StoredToken {
        let now = Utc::now();
        StoredToken {
            client_id: "client".into(),
            access_token: Secret::new("BQD-access"),
            refresh_token: Secret::new("AQD-refresh"),
            expires_at: now + TimeDelta::hours(1),
            scope: "user-library-read".into(),
            authorized_at: now,
        }
    }

    #[test]
    fn round_trips_and_creates_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("nested/config");
        let token = sample();
        let path = save_token(&config, &token).unwrap();
        assert_eq!(path, config.join("token.json"));
        assert_eq!(load_token(&config).unwrap(), token);
        // Only the token file is left behind, no temporary files.
        let names: Vec<_> = fs::read_dir(&config)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("token.json")]);
    }

    #[cfg(unix)]
    #[test]
    fn file_is_private_even_when_replacing_a_public_one() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        fs::write(token_path(dir.path()), "{}").unwrap();
        fs::set_permissions(token_path(dir.path()), fs::Permissions::from_mode(0o644)).unwrap();
        save_token(dir.path(), &sample()).unwrap();
        let mode = fs::metadata(token_path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn missing_file_means_not_logged_in() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_token(dir.path()).unwrap_err();
        assert!(matches!(err, AuthError::NotLoggedIn { .. }));
        assert!(err.to_string().contains("run `trackvault login`"));
    }

    #[test]
    fn corrupt_files_are_clear_errors_without_their_content() {
        let dir = tempfile::tempdir().unwrap();
        for content in [
            "",
            "not json BQD-leak",
            r#"{"client_id":"c","access_token":"BQD-leak"}"#,
            r#"{"client_id":"c","access_token":"BQD-leak","refresh_token":"","expires_at":"2026-01-01T00:00:00Z","authorized_at":"2026-01-01T00:00:00Z"}"#,
            r#"{"client_id":"c","access_token":"BQD-leak","refresh_token":"r","expires_at":"BQD-leak","authorized_at":"2026-01-01T00:00:00Z"}"#,
        ] {
            fs::write(token_path(dir.path()), content).unwrap();
            let err = load_token(dir.path()).unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(matches!(err, AuthError::CorruptTokenFile { .. }), "{text}");
            assert!(text.contains("run `trackvault login` again"), "{text}");
            assert!(!text.contains("BQD-leak"), "{text}");
        }
    }

    #[test]
    fn logout_reports_whether_a_login_existed() {
        let dir = tempfile::tempdir().unwrap();
        save_token(dir.path(), &sample()).unwrap();
        assert!(logout(dir.path()).unwrap());
        assert!(!logout(dir.path()).unwrap());
        assert!(!token_path(dir.path()).exists());
    }

    #[test]
    fn warns_only_near_the_six_month_limit() {
        let now = Utc::now();
        assert_eq!(login_age_warning(now - TimeDelta::days(100), now), None);
        let warning = login_age_warning(now - TimeDelta::days(170), now).unwrap();
        assert!(warning.contains("170 days"), "{warning}");
        assert!(warning.contains("trackvault login"), "{warning}");
    }

    #[test]
    fn debug_hides_tokens() {
        let text = format!("{:?}", sample());
        assert!(
            !text.contains("BQD-access") && !text.contains("AQD-refresh"),
            "{text}"
        );
    }
}
