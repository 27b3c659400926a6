//! Shape checks for identifiers that come from outside (Spotify URIs and ids, ISRCs,
//! MusicBrainz ids). They are applied where identifiers enter trackvault — the data-download
//! import and the normalization of Spotify pages — so that a value with a line break, a
//! control character or any other foreign shape never reaches the library and, through it, a
//! playlist file where it could become an extra playable line. Each check is a pure predicate;
//! callers decide whether a bad value is an error (import) or dropped (API pages).

/// Spotify's ids are 22 base-62 characters.
pub const SPOTIFY_ID_LEN: usize = 22;
/// Longest `spotify:local:` URI accepted (names are percent-encoded; real ones are < 1 KB).
pub const MAX_LOCAL_URI_LEN: usize = 4096;
/// Upper bound for the looser id check used on API pages (test servers use short ids).
const MAX_LOOSE_ID_LEN: usize = 64;

/// A real Spotify id: exactly 22 ASCII letters and digits.
pub fn is_spotify_id(id: &str) -> bool {
    id.len() == SPOTIFY_ID_LEN && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// An id in Spotify's base-62 alphabet of any length up to 64: what API pages are held to
/// (simulated servers and old fixtures use short ids such as `t1`).
pub fn is_base62_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_LOOSE_ID_LEN && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A Spotify item type (`track`, `episode`, `audiobook`, `chapter`…): 1–32 lowercase ASCII
/// letters or `_`.
pub fn is_item_type(kind: &str) -> bool {
    !kind.is_empty()
        && kind.len() <= 32
        && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// A Spotify user id (playlist owners, `added_by`): old accounts chose their own names, even
/// non-ASCII ones (`spotify_españa`), but never with whitespace, control characters, `:` or `/`.
pub fn is_user_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && !id
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, ':' | '/' | '\\'))
}

/// `spotify:<kind>:<id>` with a real 22-character id, for one of `kinds`.
pub fn is_spotify_uri_of(uri: &str, kinds: &[&str]) -> bool {
    kinds.iter().any(|kind| {
        uri.strip_prefix("spotify:")
            .and_then(|rest| rest.strip_prefix(kind))
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(is_spotify_id)
    })
}

/// A `spotify:local:` URI: percent-encoded fields separated by `:`, so no whitespace and no
/// control characters anywhere, and a sane length.
pub fn is_local_uri(uri: &str) -> bool {
    uri.starts_with("spotify:local:")
        && uri.len() <= MAX_LOCAL_URI_LEN
        && !uri.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// Any URI an API page may carry for an item: `spotify:<type>:<base-62 id>` or a local URI.
pub fn is_api_uri(uri: &str) -> bool {
    if uri.starts_with("spotify:local:") {
        return is_local_uri(uri);
    }
    let mut parts = uri.splitn(3, ':');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some("spotify"), Some(kind), Some(id)) if is_item_type(kind) && is_base62_id(id)
    )
}

/// An ISRC: `CC` `XXX` `YY` `NNNNN` — two letters, three letters or digits, seven digits
/// (already upper-cased and without hyphens).
pub fn is_isrc(isrc: &str) -> bool {
    let b = isrc.as_bytes();
    b.len() == 12
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..5]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && b[5..].iter().all(u8::is_ascii_digit)
}

/// A MusicBrainz id: a lowercase UUID, `8-4-4-4-12` hex digits.
pub fn is_mbid(mbid: &str) -> bool {
    let b = mbid.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spotify_ids_and_uris() {
        assert!(is_spotify_id("4uLU6hMCjMI75M1A2tKUQC"));
        assert!(!is_spotify_id("4uLU6hMCjMI75M1A2tKUQ"));
        assert!(!is_spotify_id("4uLU6hMCjMI75M1A2tKU\nC"));
        assert!(is_spotify_uri_of(
            "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
            &["track"]
        ));
        assert!(!is_spotify_uri_of(
            "spotify:track:4uLU6hMCjMI75M1A2tKUQC\n/etc/passwd",
            &["track"]
        ));
        assert!(!is_spotify_uri_of(
            "spotify:album:4uLU6hMCjMI75M1A2tKUQC",
            &["track"]
        ));
        assert!(is_base62_id("t1"));
        assert!(!is_base62_id(""));
        assert!(!is_base62_id("t 1"));
        assert!(is_api_uri("spotify:track:t1"));
        assert!(is_api_uri("spotify:local:A:B:C+D:215"));
        assert!(!is_api_uri("spotify:local:A:B:C\nhttp://evil/:215"));
        assert!(!is_api_uri("spotify:track:t1\r\n/etc/passwd"));
        assert!(!is_api_uri("https://example.com/x"));
        assert!(is_user_id("spotify_user.1"));
        assert!(is_user_id("spotify_españa"));
        assert!(!is_user_id("me\u{1b}[2J"));
    }

    #[test]
    fn isrcs_and_mbids() {
        assert!(is_isrc("USMA20215185"));
        assert!(!is_isrc("USMA2021518"));
        assert!(!is_isrc("usma20215185"));
        assert!(!is_isrc("USMA2021518\n"));
        assert!(is_mbid("b1a9c0e9-d987-4042-ae91-78d6a3267d69"));
        assert!(!is_mbid("B1A9C0E9-D987-4042-AE91-78D6A3267D69"));
        assert!(!is_mbid("b1a9c0e9-d987-4042-ae91-78d6a3267d6\n"));
        assert!(!is_mbid("b1a9c0e9d9874042ae9178d6a3267d69"));
    }
}
