//! `trackvault report` without a browser: what the page says about an archive's history, the
//! history cache, damaged snapshots and hostile names. (The page in a real browser is tested in
//! `tests/report_browser.rs`.)

use std::path::Path;

use assert_cmd::Command;
use trackvault::app::report::{write_report, ReportOptions, ReportOutcome};
use trackvault::archive::{Archive, Manifest};
use trackvault::model::{EntryKind, Item, Library};

fn fixture(name: &str) -> Library {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/history")
        .join(format!("{name}.library.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn add_snapshot(archive: &Archive, library: &Library, created_at: &str) -> String {
    let mut library = library.clone();
    library.created_at = created_at.to_string();
    archive
        .new_draft()
        .unwrap()
        .finish(archive, Manifest::new(&library.source), &library)
        .unwrap()
}

/// The v1 → v2 → v3 history of `fixtures/history` (see make_history.py for what changes).
fn three_snapshots() -> (tempfile::TempDir, Archive, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let ids = ["v1", "v2", "v3"]
        .iter()
        .zip([
            "2024-03-01T08:00:00Z",
            "2024-03-08T08:00:00Z",
            "2024-04-02T08:00:00Z",
        ])
        .map(|(v, at)| add_snapshot(&archive, &fixture(v), at))
        .collect();
    (dir, archive, ids)
}

fn report(archive: &Archive, snapshot: Option<&str>) -> (ReportOutcome, String) {
    let outcome = write_report(
        archive,
        &ReportOptions {
            snapshot: snapshot.map(str::to_string),
            out: None,
        },
    )
    .unwrap();
    let html = std::fs::read_to_string(&outcome.path).unwrap();
    (outcome, html)
}

/// The HTML of one `<section id="…">`.
fn section<'h>(html: &'h str, id: &str) -> &'h str {
    let start = html
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

/// Without the page's own stylesheet, script and data block: what a reader sees as markup.
fn markup(html: &str) -> String {
    let mut out = html.to_string();
    for (open, close) in [("<script", "</script>"), ("<style>", "</style>")] {
        while let Some(start) = out.find(open) {
            let end = out[start..].find(close).unwrap() + start + close.len();
            out.replace_range(start..end, "");
        }
    }
    out
}

#[test]
fn history_shows_created_deleted_renamed_playlists_and_what_was_lost() {
    let (_dir, archive, ids) = three_snapshots();
    let (outcome, html) = report(&archive, None);
    assert_eq!(outcome.snapshot, ids[2]);
    assert_eq!((outcome.snapshots, outcome.parsed_for_history), (3, 3));
    assert!(html.contains("<dd data-count=\"snapshots\">3</dd>"));

    let history = section(&html, "history");
    assert!(
        history.contains("Playlists created (1): “New Finds”"),
        "{history}"
    );
    assert!(history.contains("Playlists deleted or unfollowed (1): “Old Stuff”"));
    assert!(history.contains("“Chill” → “Chill Evenings”"));
    assert!(history.contains("“Road Trip” → “Summer Road Trip”"));
    // Newest first: v3's changes come before v2's.
    assert!(
        history.find("Summer Road Trip").unwrap()
            < history.find("Playlists created (1): “New Finds”").unwrap()
    );

    let lost = section(&html, "lost");
    for (was, place) in [
        ("Coastline", "Road Trip #"),
        ("Brass Moon", "Liked Songs #"),
    ] {
        let row = lost
            .split("<tr class=\"lost\">")
            .find(|row| row.contains(was))
            .unwrap_or_else(|| panic!("{was} is not listed as lost:\n{lost}"));
        assert!(row.contains(place), "{row}");
        assert!(row.contains("<a href=\"spotify:track:"), "{row}");
    }
}

#[test]
fn a_snapshot_argument_ends_the_history_there() {
    let (_dir, archive, ids) = three_snapshots();
    let (outcome, html) = report(&archive, Some(&ids[1]));
    assert_eq!(
        (outcome.snapshot.as_str(), outcome.snapshots),
        (ids[1].as_str(), 2)
    );
    assert!(
        !html.contains("Summer Road Trip"),
        "v3 is after the shown snapshot"
    );
    assert!(section(&html, "library").contains("Chill Evenings"));
}

#[test]
fn the_history_cache_spares_parsing_and_never_changes_the_page() {
    let (dir, archive, _ids) = three_snapshots();
    let (first, first_html) = report(&archive, None);
    assert_eq!(first.parsed_for_history, 3);
    let strip_time = |html: &str| {
        let at = html.find("page written").unwrap();
        format!("{}{}", &html[..at], &html[at + 40..])
    };

    let (again, again_html) = report(&archive, None);
    assert_eq!(
        again.parsed_for_history, 0,
        "everything came from the cache"
    );
    assert_eq!(strip_time(&first_html), strip_time(&again_html));

    // A new snapshot costs itself and its predecessor (for the one new step).
    let mut v4 = fixture("v3");
    v4.liked_tracks.truncate(1);
    add_snapshot(&archive, &v4, "2024-05-01T08:00:00Z");
    let (after_backup, html) = report(&archive, None);
    assert_eq!(after_backup.parsed_for_history, 2);
    assert!(html.contains("liked songs removed"));

    // A damaged cache is ignored and rebuilt.
    std::fs::write(
        dir.path().join("report-cache.json"),
        b"{\"version\":1,\"stats\":[",
    )
    .unwrap();
    let (rebuilt, rebuilt_html) = report(&archive, None);
    assert_eq!(rebuilt.parsed_for_history, 4);
    assert_eq!(strip_time(&html), strip_time(&rebuilt_html));
}

#[test]
fn an_unreadable_snapshot_is_named_and_the_history_goes_around_it() {
    let (_dir, archive, ids) = three_snapshots();
    std::fs::write(
        archive.snapshot_dir(&ids[1]).join("library.json"),
        b"{\"truncated",
    )
    .unwrap();
    let (outcome, html) = report(&archive, None);
    assert_eq!(outcome.skipped.len(), 1);
    assert_eq!(outcome.skipped[0].0, ids[1]);
    let history = section(&html, "history");
    assert!(history.contains(&format!("Snapshot {} was left out", ids[1])));
    // v1 → v3 directly: "Old Stuff" (gone since v2) still shows up as deleted.
    assert!(history.contains("“Old Stuff”"));
    assert_eq!(outcome.snapshots, 2);
}

#[test]
fn hostile_names_stay_text_and_bad_links_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let archive = Archive::open(dir.path()).unwrap();
    let mut library = fixture("v1");
    let hostile = "</script><script>document.title='pwned'</script>\"><img src=x onerror=alert(1)>\u{1b}[31m\u{2028}\u{202e}";
    library.playlists[0].name = hostile.to_string();
    library.playlists[0].description = Some("<iframe src=javascript:alert(1)>".into());
    library.user.display_name = Some("<b>me</b>".into());
    let item = library.liked_tracks[0].item.as_mut().unwrap();
    item.name = hostile.to_string();
    item.uri = "javascript:alert(1)".into();
    item.isrc = Some("<svg onload=alert(1)>".into());
    library.liked_tracks.push(trackvault::model::Entry {
        position: 3,
        added_at: Some("<script>".into()),
        added_by: None,
        kind: EntryKind::Track,
        item: Some(Item::bare(
            "track",
            None,
            "spotify:track:x\"onmouseover=alert(1)",
            "q",
        )),
    });
    add_snapshot(&archive, &library, "2024-03-01T08:00:00Z");
    let (_, html) = report(&archive, None);

    let visible = markup(&html);
    for forbidden in [
        "<img",
        "<iframe",
        "<svg onload",
        "<b>me",
        "href=\"javascript:",
        "\" onmouseover",
        "\"onmouseover",
        "\u{1b}",
    ] {
        assert!(
            !visible.contains(forbidden),
            "{forbidden} reached the markup"
        );
    }
    assert_eq!(
        html.matches("<script").count(),
        2,
        "only the data block and the page's script"
    );
    assert!(visible.contains("&lt;/script&gt;&lt;script&gt;document.title=&#39;pwned&#39;"));

    // The data block is valid JSON holding the name exactly, minus nothing.
    let start = html
        .find("<script type=\"application/json\" id=\"data\">")
        .unwrap();
    let json = &html[start..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    let data: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(data["c"][1]["n"], hostile);
    assert_eq!(data["c"][0]["r"][0][0], hostile);
    assert_eq!(data["c"][0]["r"][0][4], "", "an unsafe URI is not linked");
}

#[test]
fn cli_writes_the_page_and_refuses_a_folder_as_out() {
    let (dir, _archive, ids) = three_snapshots();
    let run = |args: &[&str]| {
        Command::cargo_bin("trackvault")
            .unwrap()
            .env_clear()
            .env("TRACKVAULT_ARCHIVE", dir.path())
            .env("TRACKVAULT_CONFIG_DIR", dir.path().join("config"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = dir.path().join("elsewhere/page.html");
    let ok = run(&["report", &ids[0], "--out", out.to_str().unwrap()]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        stdout.contains(&format!("Report of snapshot {}", ids[0])),
        "{stdout}"
    );
    assert!(stdout.contains("page.html"));
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("data-trackvault-report=\"1\""));

    let folder = run(&["report", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(folder.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&folder.stderr);
    assert!(stderr.contains("is a folder; give a file name"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}
