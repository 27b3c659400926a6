//! Spotify Web API calls a restore makes (2026 endpoints, see the reference's "Writing"
//! section): who the target account is, create a playlist, append items to it, save to the
//! library / follow, and the two reads a restore needs to look before it writes again (the
//! user's playlists, a playlist's items from an offset). Each function is one request shape;
//! deciding when to call them is the restore workflow's job.

use serde::Deserialize;

use super::client::SpotifyClient;
use super::error::SpotifyError;
use super::pages::{Page, RawEntry, RawPlaylist};

/// Most URIs `POST /playlists/{id}/items` takes in one request.
pub const ITEMS_PER_ADD: usize = 100;
/// Most URIs `PUT /me/library` takes in one request.
pub const URIS_PER_SAVE: usize = 40;
/// Page size for reading the user's playlists and a playlist's items back.
const PAGE: usize = 50;
const ITEMS_PAGE: usize = 100;

/// The account a restore writes into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user_id: String,
    /// Stable account id (May 2026), else the user id: names the restore journal.
    pub account_key: String,
}

#[derive(Deserialize)]
struct Me {
    id: Option<String>,
    account_id: Option<String>,
}

/// `GET /me`.
pub async fn me(client: &SpotifyClient) -> Result<Account, SpotifyError> {
    let body = client.get("me", &[], "/me").await?;
    let me: Me = parse(&body, "/me")?;
    let user_id = me
        .id
        .filter(|id| !id.is_empty())
        .ok_or_else(|| malformed("/me", "it has no user id"))?;
    let account_key = me
        .account_id
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| user_id.clone());
    Ok(Account {
        user_id,
        account_key,
    })
}

#[derive(Deserialize)]
struct Created {
    id: Option<String>,
}

/// `POST /me/playlists`: a new private, non-collaborative playlist; returns its id.
/// Not retried on a lost answer: the caller looks for the playlist before creating it again.
pub async fn create_playlist(
    client: &SpotifyClient,
    name: &str,
    description: &str,
) -> Result<String, SpotifyError> {
    let body = serde_json::json!({
        "name": name,
        "description": description,
        "public": false,
        "collaborative": false,
    });
    let label = "POST /me/playlists";
    let answer = client
        .write(
            reqwest::Method::POST,
            "me/playlists",
            &[],
            Some(body.to_string().into_bytes()),
            label,
            false,
        )
        .await?;
    let created: Created = parse(&answer, label)?;
    created
        .id
        .filter(|id| !id.is_empty())
        .ok_or_else(|| malformed(label, "the new playlist has no id"))
}

/// `POST /playlists/{id}/items`: appends up to [`ITEMS_PER_ADD`] URIs at the end, in order.
/// Not retried on a lost answer: the caller reads the playlist back before adding again.
pub async fn add_items(
    client: &SpotifyClient,
    playlist_id: &str,
    uris: &[String],
) -> Result<(), SpotifyError> {
    debug_assert!(uris.len() <= ITEMS_PER_ADD);
    let body = serde_json::json!({ "uris": uris });
    client
        .write(
            reqwest::Method::POST,
            &format!("playlists/{}/items", path_segment(playlist_id)),
            &[],
            Some(body.to_string().into_bytes()),
            "POST /playlists/{id}/items",
            false,
        )
        .await?;
    Ok(())
}

/// `PUT /me/library?uris=…`: saves tracks, albums, shows, episodes and follows artists and
/// playlists (up to [`URIS_PER_SAVE`]). Saving twice changes nothing, so it is retried freely.
pub async fn save_to_library(client: &SpotifyClient, uris: &[String]) -> Result<(), SpotifyError> {
    debug_assert!(uris.len() <= URIS_PER_SAVE);
    client
        .write(
            reqwest::Method::PUT,
            "me/library",
            &[("uris", uris.join(","))],
            None,
            "PUT /me/library",
            true,
        )
        .await?;
    Ok(())
}

/// A playlist of the user's, as listed by `GET /me/playlists`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedPlaylist {
    pub id: String,
    pub name: String,
    pub description: String,
    pub owner_id: String,
}

/// Pages through `GET /me/playlists` until `wanted` accepts one; returns it. One request per
/// 50 playlists, stopping at the first match.
pub async fn find_my_playlist(
    client: &SpotifyClient,
    wanted: impl Fn(&ListedPlaylist) -> bool,
) -> Result<Option<ListedPlaylist>, SpotifyError> {
    let label = "/me/playlists";
    let mut offset = 0usize;
    loop {
        let body = client
            .get(
                "me/playlists",
                &[("limit", PAGE.to_string()), ("offset", offset.to_string())],
                label,
            )
            .await?;
        let page: Page<RawPlaylist> = parse(&body, label)?;
        let rows = page.items.len();
        for raw in page.items.into_iter().flatten() {
            let listed = ListedPlaylist {
                id: raw.id.unwrap_or_default(),
                name: raw.name.unwrap_or_default(),
                description: raw.description.unwrap_or_default(),
                owner_id: raw.owner.and_then(|o| o.id).unwrap_or_default(),
            };
            if !listed.id.is_empty() && wanted(&listed) {
                return Ok(Some(listed));
            }
        }
        offset += rows;
        let total = page.total.unwrap_or(0) as usize;
        if rows == 0 || offset >= total {
            return Ok(None);
        }
    }
}

/// The URIs of a playlist's items from `offset` on (at most `limit`), and the playlist's total.
/// A row without a readable item (the track became unavailable) is `None`.
pub async fn playlist_uris_from(
    client: &SpotifyClient,
    playlist_id: &str,
    offset: usize,
    limit: usize,
) -> Result<(Vec<Option<String>>, usize), SpotifyError> {
    let label = "/playlists/{id}/items";
    let path = format!("playlists/{}/items", path_segment(playlist_id));
    let mut uris = Vec::new();
    let mut total = 0usize;
    loop {
        let at = offset + uris.len();
        let want = (limit - uris.len()).clamp(1, ITEMS_PAGE);
        let body = client
            .get(
                &path,
                &[("limit", want.to_string()), ("offset", at.to_string())],
                label,
            )
            .await?;
        let page: Page<RawEntry> = parse(&body, label)?;
        total = page.total.map_or(total, |t| t as usize);
        let rows = page.items.len();
        uris.extend(
            page.items
                .into_iter()
                .map(|row| row.and_then(|r| r.content().and_then(|i| i.uri.clone()))),
        );
        if rows == 0 || uris.len() >= limit || offset + uris.len() >= total {
            uris.truncate(limit);
            return Ok((uris, total));
        }
    }
}

/// Keeps an id from escaping its path segment (ids are base62; this guards hostile input).
fn path_segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8], label: &str) -> Result<T, SpotifyError> {
    serde_json::from_slice(body).map_err(|e| malformed(label, &e.to_string()))
}

fn malformed(label: &str, detail: &str) -> SpotifyError {
    SpotifyError::Malformed {
        endpoint: label.to_string(),
        detail: detail.to_string(),
    }
}
