//! Resolved settings: endpoints, archive root, config dir and rates, validated once so the rest
//! of the code never reads env vars itself. [`Settings::new`] checks a plain [`SettingsInput`];
//! the command line fills that input (`commands::settings`), but nothing here knows clap.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

/// A setting that cannot be used as given.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not a valid URL ({value:?}): give an absolute http(s) URL")]
    BadUrl { name: &'static str, value: String },
    #[error("a MusicBrainz rate of {0} requests/second is refused for musicbrainz.org, which allows 1; use a local mirror via TRACKVAULT_MUSICBRAINZ_URL for faster enrichment")]
    MusicBrainzRateTooHigh(f64),
    #[error(
        "{setting} is {value}, outside the allowed range of {allowed}; set a value in that range"
    )]
    OutOfRange {
        setting: String,
        value: String,
        allowed: String,
    },
    #[error("no config directory could be determined; set TRACKVAULT_CONFIG_DIR")]
    NoConfigDir,
}

/// Settings as given (text and numbers), before they are checked: what the command line, a
/// test or another front end supplies.
#[derive(Debug, Clone)]
pub struct SettingsInput {
    pub archive: PathBuf,
    /// `None`: the platform's config directory.
    pub config_dir: Option<PathBuf>,
    pub spotify_api_url: String,
    pub spotify_accounts_url: String,
    pub spotify_interval_ms: u64,
    pub max_wait_secs: u64,
    pub musicbrainz_url: String,
    pub musicbrainz_rate: f64,
    pub contact: String,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub archive_root: PathBuf,
    pub config_dir: PathBuf,
    pub spotify_api_url: Url,
    pub spotify_accounts_url: Url,
    /// Minimum spacing between Spotify requests.
    pub spotify_interval: Duration,
    /// A Retry-After longer than this pauses instead of waiting.
    pub max_wait: Duration,
    pub musicbrainz_url: Url,
    /// Requests per second to MusicBrainz.
    pub musicbrainz_rate: f64,
    pub contact: String,
}

impl Settings {
    /// Checks `args` (ranges, URLs, the musicbrainz.org rate limit) and resolves the config
    /// directory.
    pub fn new(args: &SettingsInput) -> Result<Self, ConfigError> {
        crate::settings_ranges::check(args)?;
        let musicbrainz_url = parse_url("TRACKVAULT_MUSICBRAINZ_URL", &args.musicbrainz_url)?;
        let rate = args.musicbrainz_rate;
        let official = crate::musicbrainz_host::is_musicbrainz_org(&musicbrainz_url);
        if official && rate > 1.0 {
            return Err(ConfigError::MusicBrainzRateTooHigh(rate));
        }
        let config_dir = match &args.config_dir {
            Some(dir) => dir.clone(),
            None => directories::ProjectDirs::from("", "", "trackvault")
                .map(|d| d.config_dir().to_path_buf())
                .ok_or(ConfigError::NoConfigDir)?,
        };
        Ok(Settings {
            archive_root: args.archive.clone(),
            config_dir,
            spotify_api_url: parse_url("TRACKVAULT_SPOTIFY_API_URL", &args.spotify_api_url)?,
            spotify_accounts_url: parse_url(
                "TRACKVAULT_SPOTIFY_ACCOUNTS_URL",
                &args.spotify_accounts_url,
            )?,
            spotify_interval: Duration::from_millis(args.spotify_interval_ms),
            max_wait: Duration::from_secs(args.max_wait_secs),
            musicbrainz_url,
            musicbrainz_rate: rate,
            contact: args.contact.clone(),
        })
    }

    /// User-Agent for every request: MusicBrainz requires app, version and a contact.
    pub fn user_agent(&self) -> String {
        format!(
            "trackvault/{} ( {} )",
            env!("CARGO_PKG_VERSION"),
            self.contact
        )
    }
}

/// Parses a base URL, keeping the path but without a trailing slash so joins are predictable.
fn parse_url(name: &'static str, value: &str) -> Result<Url, ConfigError> {
    let bad = || ConfigError::BadUrl {
        name,
        value: value.to_string(),
    };
    let url = Url::parse(value.trim_end_matches('/')).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad());
    }
    Ok(url)
}

/// Appends `path` (e.g. `me/tracks`) to a base URL that may itself have a path (`…/v1`).
pub fn join_url(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!(
        "{}/{}",
        base.path().trim_end_matches('/'),
        path.trim_start_matches('/')
    );
    url.set_path(&joined);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_paths_onto_versioned_bases() {
        let base = Url::parse("http://127.0.0.1:1234/v1").unwrap();
        assert_eq!(
            join_url(&base, "me/tracks").as_str(),
            "http://127.0.0.1:1234/v1/me/tracks"
        );
        let root = Url::parse("http://127.0.0.1:1234").unwrap();
        assert_eq!(join_url(&root, "/me").as_str(), "http://127.0.0.1:1234/me");
    }
}
