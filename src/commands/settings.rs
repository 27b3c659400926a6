//! The command line fills [`SettingsInput`] from clap's [`GlobalArgs`]; [`Settings::new`] checks
//! it. This is the only place where the parsed arguments meet the settings.

use crate::cli::GlobalArgs;
use crate::config::{ConfigError, Settings, SettingsInput};

impl From<&GlobalArgs> for SettingsInput {
    fn from(args: &GlobalArgs) -> Self {
        SettingsInput {
            archive: args.archive.clone(),
            config_dir: args.config_dir.clone(),
            spotify_api_url: args.spotify_api_url.clone(),
            spotify_accounts_url: args.spotify_accounts_url.clone(),
            spotify_interval_ms: args.spotify_interval_ms,
            max_wait_secs: args.max_wait_secs,
            musicbrainz_url: args.musicbrainz_url.clone(),
            musicbrainz_rate: args.musicbrainz_rate,
            contact: args.contact.clone(),
        }
    }
}

impl Settings {
    /// Settings from the parsed global flags and their environment variables.
    pub fn from_args(args: &GlobalArgs) -> Result<Self, ConfigError> {
        Settings::new(&SettingsInput::from(args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn settings(args: &[&str]) -> Result<Settings, ConfigError> {
        let mut argv = vec!["trackvault", "--config-dir", "/tmp/tv"];
        argv.extend_from_slice(args);
        argv.push("snapshots");
        let cli = crate::cli::Cli::try_parse_from(argv).unwrap();
        Settings::from_args(&cli.global)
    }

    #[test]
    fn refuses_fast_rates_against_musicbrainz_org_only() {
        assert!(matches!(
            settings(&["--musicbrainz-rate", "5"]),
            Err(ConfigError::MusicBrainzRateTooHigh(_))
        ));
        let mirror = settings(&[
            "--musicbrainz-rate",
            "5",
            "--musicbrainz-url",
            "http://127.0.0.1:5000/ws/2",
        ])
        .unwrap();
        assert_eq!(mirror.musicbrainz_rate, 5.0);
        assert!(matches!(
            settings(&["--musicbrainz-rate", "0"]),
            Err(ConfigError::OutOfRange { .. })
        ));
        assert!(matches!(
            settings(&["--spotify-api-url", "ftp://x"]),
            Err(ConfigError::BadUrl { .. })
        ));
    }

    #[test]
    fn range_messages_name_the_variables_the_command_line_reads() {
        use crate::settings_ranges as ranges;
        assert_eq!(
            ranges::ENV_MUSICBRAINZ_RATE,
            crate::cli::ENV_MUSICBRAINZ_RATE
        );
        assert_eq!(
            ranges::ENV_SPOTIFY_INTERVAL_MS,
            crate::cli::ENV_SPOTIFY_INTERVAL_MS
        );
        assert_eq!(ranges::ENV_MAX_WAIT, crate::cli::ENV_MAX_WAIT);
    }

    #[test]
    fn settings_are_built_without_the_command_line() {
        let input = SettingsInput {
            archive: "/tmp/a".into(),
            config_dir: Some("/tmp/c".into()),
            spotify_api_url: "http://127.0.0.1:1/v1/".into(),
            spotify_accounts_url: "http://127.0.0.1:2".into(),
            spotify_interval_ms: 0,
            max_wait_secs: 5,
            musicbrainz_url: "https://musicbrainz.org/ws/2".into(),
            musicbrainz_rate: 2.0,
            contact: "me@example.org".into(),
        };
        assert!(matches!(
            Settings::new(&input),
            Err(ConfigError::MusicBrainzRateTooHigh(_))
        ));
        let ok = Settings::new(&SettingsInput {
            musicbrainz_rate: 1.0,
            ..input
        })
        .unwrap();
        assert_eq!(ok.spotify_api_url.as_str(), "http://127.0.0.1:1/v1");
        assert_eq!(ok.config_dir, std::path::PathBuf::from("/tmp/c"));
    }
}
