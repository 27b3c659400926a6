//! Identifiers from a MusicBrainz answer are checked at the boundary (issue 10, item 6): a
//! server or mirror that returns an "MBID" with a line break or any other foreign shape never
//! gets it into the library, and through it into a playlist file.

mod enrich_support;

use enrich_support::*;
use trackvault::enrich::cache::{Cache, Ttl};
use trackvault::enrich::pipeline::{enrich_library, EnrichOptions};
use trackvault::progress::hidden;

#[tokio::test]
async fn a_recording_id_that_is_not_an_mbid_is_never_matched() {
    let (mut lib, mut data) = isrc_library(3);
    let recordings = data["recordings"].as_array_mut().unwrap();
    recordings[0]["id"] = "0000000a-0000-4000-8000-000000000000\n/etc/passwd".into();
    recordings[1]["releases"][0]["id"] = "not-a-release\r\nhttp://evil.example/".into();
    recordings[1]["artist-credit"][0]["artist"]["id"] = "evil\u{1b}[2J".into();
    let mb = MbServer::start(data).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("cache.sqlite3"), Ttl::default()).unwrap();
    enrich_library(
        &mut lib,
        &mb.client(1000.0),
        &cache,
        &EnrichOptions::default(),
        hidden(),
    )
    .await
    .unwrap();
    let matches: Vec<_> = lib
        .liked_tracks
        .iter()
        .map(|e| e.item.as_ref().unwrap().musicbrainz.clone())
        .collect();
    assert!(matches[0].is_none(), "{:?}", matches[0]);
    let second = matches[1]
        .as_ref()
        .expect("a valid recording still matches");
    assert_eq!(
        second.release_id, None,
        "the malformed release id is dropped"
    );
    assert!(second.artist_ids.is_empty(), "{:?}", second.artist_ids);
    let third = matches[2].as_ref().unwrap();
    assert!(third.release_id.is_some() && !third.artist_ids.is_empty());
}
