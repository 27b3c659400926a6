//! Server-requested waits made safe to use. Whatever a server puts in `Retry-After` (a float,
//! `1e30`, a 30-digit integer, an HTTP date in the past or in the year 9999, garbage) becomes
//! either nothing or a [`Duration`] of at most [`MAX_SERVER_WAIT`], so no later arithmetic on it
//! can overflow or panic; and a wait is described for people as a short duration plus the UTC
//! time to resume.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};

/// The longest wait any server answer can ask for. Spotify's quotas reset daily, so a longer
/// `Retry-After` is treated as "come back tomorrow" rather than trusted.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(24 * 3600);

/// Parses a `Retry-After` value (delta-seconds, possibly fractional, or an HTTP date) into a
/// wait of at most [`MAX_SERVER_WAIT`]; `None` when the value is not one of those.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // Any length of digits: too many for a u64 is simply "very long".
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(bounded(Duration::from_secs(secs)));
    }
    if let Ok(secs) = value.parse::<f64>() {
        return bounded_secs_f64(secs);
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    let delta = date.with_timezone(&Utc).signed_duration_since(now);
    // A date in the past means "now"; `to_std` fails exactly for negative deltas.
    Some(bounded(delta.to_std().unwrap_or(Duration::ZERO)))
}

/// Seconds as a bounded wait: `None` for NaN and negative values, at most [`MAX_SERVER_WAIT`].
pub fn bounded_secs_f64(secs: f64) -> Option<Duration> {
    if secs.is_nan() || secs < 0.0 {
        return None;
    }
    let max = MAX_SERVER_WAIT.as_secs_f64();
    Some(Duration::from_secs_f64(secs.min(max)))
}

/// `wait`, but never longer than [`MAX_SERVER_WAIT`].
pub fn bounded(wait: Duration) -> Duration {
    wait.min(MAX_SERVER_WAIT)
}

/// `1h05m`, `2m30s`, `7s`: a wait for people.
pub fn human(wait: Duration) -> String {
    let secs = wait.as_secs();
    if secs >= 3600 {
        format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60)
    } else if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

/// The UTC time (RFC 3339, whole seconds) `wait` after `now`; the wait is bounded first, so
/// this is always a real time within a day.
pub fn resume_at(now: DateTime<Utc>, wait: Duration) -> String {
    let wait = bounded(wait);
    let delta = TimeDelta::from_std(wait).unwrap_or(TimeDelta::zero());
    now.checked_add_signed(delta)
        .unwrap_or(now)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}
