//! The allowed range of every numeric global setting, checked once before anything runs. A
//! value outside its range (a rate of `1e-300`, an interval of 2^64-1 ms) would otherwise
//! overflow later in pacing or time arithmetic; instead the user gets exit 2 and one sentence
//! naming the setting, the value given and the range allowed. The README's environment table
//! lists the same ranges.

use crate::config::{ConfigError, SettingsInput};

/// The environment variables named in the messages (the command line reads the same ones; a
/// test in `commands::settings` keeps the two spellings equal).
pub const ENV_MUSICBRAINZ_RATE: &str = "TRACKVAULT_MUSICBRAINZ_RATE";
pub const ENV_SPOTIFY_INTERVAL_MS: &str = "TRACKVAULT_SPOTIFY_INTERVAL_MS";
pub const ENV_MAX_WAIT: &str = "TRACKVAULT_MAX_WAIT_SECS";

/// MusicBrainz requests per second: one every 100 s at the slowest, 1000/s for a local mirror.
pub const MUSICBRAINZ_RATE: (f64, f64) = (0.01, 1000.0);
/// Milliseconds between Spotify requests: unpaced up to one a minute.
pub const SPOTIFY_INTERVAL_MS: (u64, u64) = (0, 60_000);
/// Longest `Retry-After` slept through instead of pausing: up to 12 hours.
pub const MAX_WAIT_SECS: (u64, u64) = (0, 43_200);

/// Checks every numeric global setting against its range.
pub fn check(args: &SettingsInput) -> Result<(), ConfigError> {
    let rate = args.musicbrainz_rate;
    let (lo, hi) = MUSICBRAINZ_RATE;
    // Written so that NaN fails too.
    if !(rate >= lo && rate <= hi) {
        return Err(out_of_range(
            ENV_MUSICBRAINZ_RATE,
            "--musicbrainz-rate",
            format!("{rate:?}"),
            format!("{lo} to {hi} requests per second"),
        ));
    }
    check_u64(
        ENV_SPOTIFY_INTERVAL_MS,
        "--spotify-interval-ms",
        args.spotify_interval_ms,
        SPOTIFY_INTERVAL_MS,
        "milliseconds",
    )?;
    check_u64(
        ENV_MAX_WAIT,
        "--max-wait-secs",
        args.max_wait_secs,
        MAX_WAIT_SECS,
        "seconds",
    )
}

fn check_u64(
    env: &'static str,
    flag: &'static str,
    value: u64,
    (lo, hi): (u64, u64),
    unit: &str,
) -> Result<(), ConfigError> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(out_of_range(
            env,
            flag,
            value.to_string(),
            format!("{lo} to {hi} {unit}"),
        ))
    }
}

fn out_of_range(
    env: &'static str,
    flag: &'static str,
    value: String,
    allowed: String,
) -> ConfigError {
    ConfigError::OutOfRange {
        setting: format!("{env} ({flag})"),
        value,
        allowed,
    }
}
