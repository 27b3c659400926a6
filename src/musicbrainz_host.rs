//! Recognizes the official MusicBrainz server in any spelling of its URL, so its one request a
//! second rule cannot be bypassed by writing the host differently: any letter case, trailing
//! dots (`musicbrainz.org.` is the same host to DNS), an explicit port, user info, or a
//! subdomain (`beta.musicbrainz.org`). The URL parser has already lowercased, IDNA-mapped and
//! percent-decoded the host; this adds the rest.

use url::Url;

/// The official server's domain.
const DOMAIN: &str = "musicbrainz.org";

/// Whether `url` points at musicbrainz.org or one of its subdomains.
pub fn is_musicbrainz_org(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == DOMAIN
        || host
            .strip_suffix(DOMAIN)
            .is_some_and(|prefix| prefix.ends_with('.'))
}
