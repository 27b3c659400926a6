//! `trackvault report` opened in a real headless Chromium, checked against the page contract
//! in `docs/report.md`: the first view is a real picture and logs nothing to the console, the
//! counts equal those computed here from `library.json`, `report.html#q=…` (and typing into the
//! search box) shows exactly the rows the documented search rule selects, hostile names stay
//! text, the library and charts are there with JavaScript off, dark mode differs, nothing makes
//! the page scroll sideways on a phone, and the history of several snapshots shows what changed
//! and what Spotify lost. Expected values are computed in this file from `library.json`
//! (serde_json::Value), independently of the generator.
//!
//! Without Chromium the browser tests print "skipped: chromium not found" and pass, unless
//! `TRACKVAULT_REQUIRE_BROWSER` or `CI` is set (then they fail). The CLI's unhappy paths need
//! no browser.

#[path = "support/chromium.rs"]
mod chromium;
#[path = "support/html_dom.rs"]
mod html_dom;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chromium::{file_url, percent_encode, Chromium, Mode, Png};
use html_dom::Element;
use serde_json::Value;
use trackvault::archive::{Archive, Manifest};
use trackvault::model::{
    AlbumRef, ArtistRef, Contents, Entry, EntryKind, Item, Library, MatchMethod, Owner, Playlist,
    RecordingMatch, User, SOURCE_WEB_API,
};

const COUNT_KEYS: [&str; 8] = [
    "playlists",
    "playlist_entries",
    "liked_tracks",
    "saved_albums",
    "saved_shows",
    "saved_episodes",
    "followed_artists",
    "snapshots",
];

// ---------------------------------------------------------------------------------------------
// Setup: archives and reports.

fn trackvault(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("trackvault").unwrap();
    // No endpoint variables: nothing here may need the network.
    cmd.env_clear()
        .env("TRACKVAULT_CONFIG_DIR", dir.join("config"));
    cmd
}

/// Runs `trackvault demo --out DIR`; returns the archive root and the report it printed.
fn demo(dir: &Path) -> (PathBuf, PathBuf) {
    let out = dir.join("demo out");
    let run = trackvault(dir)
        .args(["demo", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).into_owned();
    let archive = out.join("spotify-archive");
    let report = archive.join("report.html");
    assert!(report.is_file(), "demo wrote no {}", report.display());
    assert!(
        stdout.contains(&report.display().to_string()),
        "the demo does not print the report's path {}:\n{stdout}",
        report.display()
    );
    (archive, report)
}

fn latest_library_json(archive: &Path) -> Value {
    let a = Archive::open(archive).unwrap();
    let id = a.latest().unwrap().expect("a snapshot");
    library_json(archive, &id)
}

fn library_json(archive: &Path, id: &str) -> Value {
    let a = Archive::open(archive).unwrap();
    serde_json::from_slice(&std::fs::read(a.snapshot_dir(id).join("library.json")).unwrap())
        .unwrap()
}

/// Writes `libraries` as successive snapshots through the real `Draft::finish`; returns ids.
fn write_snapshots(root: &Path, libraries: &[Library]) -> Vec<String> {
    let archive = Archive::open(root).unwrap();
    libraries
        .iter()
        .map(|library| {
            archive
                .new_draft()
                .unwrap()
                .finish(&archive, Manifest::new(SOURCE_WEB_API), library)
                .unwrap()
        })
        .collect()
}

/// The report of `snapshot` (None: latest) through the library API, into `out`.
fn write_report(root: &Path, snapshot: Option<&str>, out: &Path) -> PathBuf {
    let archive = Archive::open(root).unwrap();
    let outcome = trackvault::app::report::write_report(
        &archive,
        &trackvault::app::report::ReportOptions {
            snapshot: snapshot.map(str::to_string),
            out: Some(out.to_path_buf()),
        },
    )
    .expect("write_report");
    assert_eq!(outcome.path, out);
    let written = std::fs::metadata(out).expect("the report file").len();
    assert_eq!(outcome.bytes, written, "ReportOutcome.bytes");
    outcome.path
}

fn empty_page(dir: &Path) -> PathBuf {
    let path = dir.join("empty.html");
    std::fs::write(
        &path,
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>empty</title></head><body></body></html>",
    )
    .unwrap();
    path
}

// ---------------------------------------------------------------------------------------------
// The search rule of docs/report.md, computed from library.json.

/// One row of the page: its URI and the texts the search rule looks in. `extra` holds texts
/// the rule does not name but a page might plausibly search too (show, publisher, playlist
/// name, genres, album tracks): a test query must select the same rows with and without them,
/// so no test depends on a reading of the rule the contract does not state.
#[derive(Debug)]
struct Row {
    uri: String,
    title: String,
    fields: Vec<String>,
    extra: Vec<String>,
    null: bool,
}

fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| s(&x["name"])).collect())
        .unwrap_or_default()
}

fn entry_row(entry: &Value, collection: &str) -> Row {
    let item = &entry["item"];
    if item.is_null() || entry["kind"] == "unavailable" {
        return Row {
            uri: String::new(),
            title: String::new(),
            fields: Vec::new(),
            extra: vec![collection.to_string()],
            null: true,
        };
    }
    let mut fields = vec![s(&item["name"]).unwrap_or_default()];
    fields.extend(names(&item["artists"]));
    fields.extend(s(&item["album"]["name"]));
    fields.extend(s(&item["isrc"]));
    let mb = &item["musicbrainz"];
    for key in ["recording_id", "release_id", "release_group_id"] {
        fields.extend(s(&mb[key]));
    }
    if let Some(ids) = mb["artist_ids"].as_array() {
        fields.extend(ids.iter().filter_map(s));
    }
    let mut extra = vec![collection.to_string()];
    extra.extend(s(&item["show"]["name"]));
    Row {
        uri: s(&item["uri"]).unwrap_or_default(),
        title: s(&item["name"]).unwrap_or_default(),
        fields,
        extra,
        null: false,
    }
}

/// Every row the contract lists, in any order.
fn rows(library: &Value) -> Vec<Row> {
    let mut rows = Vec::new();
    for e in library["liked_tracks"].as_array().unwrap() {
        rows.push(entry_row(e, "Liked Songs"));
    }
    for p in library["playlists"].as_array().unwrap() {
        if p["contents"] == "complete" {
            for e in p["entries"].as_array().unwrap() {
                rows.push(entry_row(e, p["name"].as_str().unwrap_or_default()));
            }
        }
    }
    for e in library["saved_episodes"].as_array().unwrap() {
        rows.push(entry_row(e, "Saved episodes"));
    }
    for a in library["saved_albums"].as_array().unwrap() {
        let album = &a["album"];
        let mut fields = vec![s(&album["name"]).unwrap_or_default()];
        fields.extend(names(&album["artists"]));
        for key in ["release_id", "release_group_id"] {
            fields.extend(s(&album["musicbrainz"][key]));
        }
        let mut extra = names(&album["tracks"]);
        extra.extend(s(&album["upc"]));
        rows.push(Row {
            uri: s(&album["uri"]).unwrap_or_default(),
            title: s(&album["name"]).unwrap_or_default(),
            fields,
            extra,
            null: false,
        });
    }
    for sh in library["saved_shows"].as_array().unwrap() {
        let show = &sh["show"];
        rows.push(Row {
            uri: s(&show["uri"]).unwrap_or_default(),
            title: s(&show["name"]).unwrap_or_default(),
            fields: vec![s(&show["name"]).unwrap_or_default()],
            extra: s(&show["publisher"]).into_iter().collect(),
            null: false,
        });
    }
    for artist in library["followed_artists"].as_array().unwrap() {
        let mut fields = vec![s(&artist["name"]).unwrap_or_default()];
        fields.extend(s(&artist["musicbrainz"]["artist_id"]));
        rows.push(Row {
            uri: s(&artist["uri"]).unwrap_or_default(),
            title: s(&artist["name"]).unwrap_or_default(),
            fields,
            extra: artist["genres"]
                .as_array()
                .map(|g| g.iter().filter_map(s).collect())
                .unwrap_or_default(),
            null: false,
        });
    }
    rows
}

fn matches(texts: &[&String], query: &str) -> bool {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    !words.is_empty()
        && words
            .iter()
            .all(|w| texts.iter().any(|t| t.to_lowercase().contains(w.as_str())))
}

/// The sorted URIs of the rows `query` selects (with duplicates: a track in two playlists is
/// two rows), and their titles by URI.
fn expected(library: &Value, query: &str) -> (Vec<String>, BTreeMap<String, String>) {
    let all = rows(library);
    let pick = |lenient: bool| -> Vec<&Row> {
        all.iter()
            .filter(|r| !r.null)
            .filter(|r| {
                let mut texts: Vec<&String> = r.fields.iter().collect();
                if lenient {
                    texts.extend(r.extra.iter());
                }
                matches(&texts, query)
            })
            .collect()
    };
    let strict = pick(false);
    let lenient = pick(true);
    assert_eq!(
        strict.len(),
        lenient.len(),
        "test bug: query {query:?} selects different rows depending on fields the contract does \
         not name; pick another"
    );
    let mut uris: Vec<String> = strict.iter().map(|r| r.uri.clone()).collect();
    uris.sort();
    let titles = strict
        .iter()
        .map(|r| (r.uri.clone(), r.title.clone()))
        .collect();
    (uris, titles)
}

fn counts(library: &Value, snapshots: usize) -> BTreeMap<String, u64> {
    let len = |k: &str| library[k].as_array().unwrap().len() as u64;
    let playlists = library["playlists"].as_array().unwrap();
    BTreeMap::from([
        ("playlists".to_string(), playlists.len() as u64),
        (
            "playlist_entries".to_string(),
            playlists
                .iter()
                .map(|p| p["entries"].as_array().unwrap().len() as u64)
                .sum(),
        ),
        ("liked_tracks".to_string(), len("liked_tracks")),
        ("saved_albums".to_string(), len("saved_albums")),
        ("saved_shows".to_string(), len("saved_shows")),
        ("saved_episodes".to_string(), len("saved_episodes")),
        ("followed_artists".to_string(), len("followed_artists")),
        ("snapshots".to_string(), snapshots as u64),
    ])
}

// ---------------------------------------------------------------------------------------------
// Reading the page.

fn no_console(page: &chromium::Page, what: &str) {
    assert!(
        page.console.is_empty(),
        "{what}: the page wrote to the console:\n{}",
        page.console.join("\n")
    );
}

fn dom(page: &chromium::Page) -> Element {
    html_dom::parse(&page.dom())
}

/// Loads `url` (JavaScript on), checks the console stayed silent and returns the DOM.
fn open(browser: &chromium::Chromium, url: &str, what: &str) -> Element {
    let page = browser.dump_dom(url);
    no_console(&page, what);
    dom(&page)
}

fn section<'a>(doc: &'a Element, id: &str) -> &'a Element {
    doc.by_id(id)
        .unwrap_or_else(|| panic!("the page has no #{id} (docs/report.md: sections)"))
}

fn page_counts(doc: &Element) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for dd in doc.find_all(|e| e.name == "dd" && e.has_attr("data-count")) {
        let key = dd.attr("data-count").unwrap().to_string();
        let text = dd
            .text()
            .trim()
            .replace([',', '\u{a0}', ' ', '\u{202f}'], "");
        let n: u64 = text
            .parse()
            .unwrap_or_else(|_| panic!("data-count={key} holds {:?}, not a number", dd.text()));
        assert!(
            out.insert(key.clone(), n).is_none(),
            "data-count={key} appears twice"
        );
    }
    out
}

fn assert_marker(doc: &Element) {
    let html = doc.by_tag("html");
    assert_eq!(
        html.first().and_then(|h| h.attr("data-trackvault-report")),
        Some("1"),
        "<html data-trackvault-report=\"1\"> is missing"
    );
}

/// `#results` after opening `report#q=<query>`: (data-matches, sorted data-uri of the rows,
/// titles of the rows by URI). Asserts the query state of the contract: results shown,
/// `#library` hidden.
fn search(
    browser: &Chromium,
    report: &Path,
    query: &str,
) -> (u64, Vec<String>, Vec<(String, String)>) {
    let url = file_url(report, Some(&format!("q={}", percent_encode(query))));
    let doc = open(browser, &url, &format!("#q={query}"));
    assert_marker(&doc);
    let results = section(&doc, "results");
    assert!(
        !results.has_attr("hidden"),
        "#q={query}: #results is hidden while a query is active"
    );
    assert!(
        section(&doc, "library").has_attr("hidden"),
        "#q={query}: #library is not hidden while a query is active"
    );
    let search_box = doc.by_id("q").expect("<input id=\"q\">");
    assert_eq!(search_box.name, "input");
    let matches: u64 = results
        .attr("data-matches")
        .expect("#results has no data-matches")
        .parse()
        .expect("data-matches is a number");
    let rows = results.find_all(|e| e.name == "tr" && e.has_class("row"));
    let mut uris: Vec<String> = rows
        .iter()
        .map(|r| {
            r.attr("data-uri")
                .expect("a row without data-uri")
                .to_string()
        })
        .collect();
    uris.sort();
    let titles = rows
        .iter()
        .map(|r| {
            let title = r
                .find_all(|e| e.name == "td" && e.has_class("title"))
                .first()
                .map(|td| td.text())
                .expect("a row without <td class=\"title\">");
            (r.attr("data-uri").unwrap().to_string(), title)
        })
        .collect();
    (matches, uris, titles)
}

/// Types `query` into the search box of `report` (loaded in an iframe of a page next to it, so
/// it can be scripted; `--allow-file-access-from-files`) and checks that the address gets
/// `#q=<query>` and `#results` the expected rows.
fn typing_updates_the_address(browser: &Chromium, report: &Path, library: &Value, query: &str) {
    let driver = report.with_file_name("type-into-report.html");
    let file = report.file_name().unwrap().to_string_lossy();
    std::fs::write(
        &driver,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"></head><body><pre id=\"out\">pending</pre>\
             <iframe id=\"f\" src=\"{src}\" style=\"width:1200px;height:800px\"></iframe><script>\
             var f = document.getElementById('f');\
             f.addEventListener('load', function () {{ try {{\
               var d = f.contentDocument, w = f.contentWindow, q = d.getElementById('q');\
               q.focus(); q.value = {query};\
               ['input', 'keyup', 'change'].forEach(function (t) {{ q.dispatchEvent(new Event(t, {{bubbles: true}})); }});\
               setTimeout(function () {{\
                 var r = d.getElementById('results'), lib = d.getElementById('library');\
                 var h = w.location.hash;\
                 document.getElementById('out').textContent = JSON.stringify({{\
                   hash: h, query: h.indexOf('#q=') === 0 ? decodeURIComponent(h.slice(3).replace(/\\+/g, ' ')) : null,\
                   results_hidden: r.hidden, library_hidden: lib.hidden,\
                   matches: r.getAttribute('data-matches'),\
                   rows: Array.prototype.map.call(r.querySelectorAll('tr.row'), function (x) {{ return x.getAttribute('data-uri'); }})\
                 }});\
               }}, 1500);\
             }} catch (e) {{ document.getElementById('out').textContent = 'ERROR ' + e; }} }});\
             </script></body></html>",
            src = percent_encode(&file),
            query = serde_json::to_string(query).unwrap(),
        ),
    )
    .unwrap();
    let page = browser.dump_dom_with(
        &file_url(&driver, None),
        Mode {
            file_access: true,
            virtual_time_ms: 5000,
            ..Mode::default()
        },
    );
    no_console(&page, "typing into the search box");
    let out = dom(&page)
        .by_id("out")
        .map(|e| e.text())
        .unwrap_or_default();
    let got: Value =
        serde_json::from_str(&out).unwrap_or_else(|_| panic!("the typing driver reported {out:?}"));
    assert_eq!(
        got["query"], query,
        "the address after typing: {}",
        got["hash"]
    );
    assert_eq!(got["results_hidden"], false, "#results after typing");
    assert_eq!(got["library_hidden"], true, "#library after typing");
    let (want, _) = expected(library, query);
    assert_eq!(
        got["matches"],
        want.len().to_string(),
        "data-matches after typing"
    );
    let mut rows: Vec<String> = got["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    rows.sort();
    assert_eq!(rows, want, "rows after typing {query:?}");
}

/// Opens `report#<fragment>` in a 390 px wide frame (a phone) and returns the elements that
/// stick out to the right, making the whole page scroll sideways (empty: none).
fn sticking_out_on_a_phone(browser: &Chromium, report: &Path, fragment: &str) -> Vec<String> {
    let driver = report.with_file_name("phone-frame.html");
    let file = report.file_name().unwrap().to_string_lossy();
    std::fs::write(
        &driver,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\">\
             <pre id=\"out\">pending</pre>\
             <iframe id=\"f\" src=\"{src}#{fragment}\" style=\"width:390px;height:844px;border:0\"></iframe>\
             <script>var f = document.getElementById('f');\
             f.addEventListener('load', function () {{ setTimeout(function () {{ try {{\
               var d = f.contentDocument, root = d.documentElement, out = [];\
               if (root.scrollWidth > root.clientWidth) {{\
                 out.push('page ' + root.scrollWidth + 'px wide in ' + root.clientWidth + 'px');\
                 Array.prototype.forEach.call(d.querySelectorAll('body *'), function (e) {{\
                   var r = e.getBoundingClientRect();\
                   if (r.right > root.clientWidth + 1 && out.length < 8)\
                     out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined ? '.' + e.className : '') + ' to ' + Math.round(r.right) + 'px');\
                 }});\
               }}\
               document.getElementById('out').textContent = JSON.stringify(out);\
             }} catch (e) {{ document.getElementById('out').textContent = 'ERROR ' + e; }} }}, 1000); }});\
             </script></body></html>",
            src = percent_encode(&file),
        ),
    )
    .unwrap();
    let page = browser.dump_dom_with(
        &file_url(&driver, None),
        Mode {
            file_access: true,
            ..Mode::default()
        },
    );
    no_console(&page, "the page in a phone-size frame");
    let out = dom(&page)
        .by_id("out")
        .map(|e| e.text())
        .unwrap_or_default();
    serde_json::from_str(&out).unwrap_or_else(|_| panic!("the phone frame reported {out:?}"))
}

/// Checks `report#q=<query>` against the rule: data-matches, the URI multiset, the titles.
fn check_query(browser: &Chromium, report: &Path, library: &Value, query: &str) -> usize {
    let (want, titles) = expected(library, query);
    let (matches, got, shown) = search(browser, report, query);
    assert_eq!(
        matches as usize,
        want.len(),
        "#q={query}: data-matches (rows expected: {want:?})"
    );
    if want.len() <= 500 {
        assert_eq!(got, want, "#q={query}: the rows shown");
    } else {
        assert_eq!(got.len(), 500, "#q={query}: at most 500 rows are listed");
        let mut left = want.clone();
        for uri in &got {
            let at = left
                .iter()
                .position(|w| w == uri)
                .unwrap_or_else(|| panic!("#q={query}: {uri} is listed but does not match"));
            left.remove(at);
        }
    }
    for (uri, title) in shown {
        assert_eq!(
            clean(&title),
            clean(&titles[&uri]),
            "#q={query}: the title shown for {uri}"
        );
    }
    want.len()
}

/// Text as a page can show it: control characters dropped, white space collapsed.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------------
// The harness itself: prove the detectors on tiny pages before trusting them with the report.

#[test]
fn harness_sees_console_errors_and_really_switches_javascript_and_dark_mode() {
    let Some(browser) = chromium::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();

    let erring = dir.path().join("erring page #1 ü.html");
    std::fs::write(
        &erring,
        "<!doctype html><html><head><title>t</title></head><body><p id=\"p\">no script</p>\
         <script>console.error('ERR-' + 'MESSAGE')</script>\
         <script>document.getElementById('p').textContent = 'js ran, dark=' + \
         matchMedia('(prefers-color-scheme: dark)').matches + ', hash=' + location.hash; \
         setTimeout(function () { document.title = 'timer ran' }, 500); \
         notDefinedAnywhere()</script></body></html>",
    )
    .unwrap();
    let url = file_url(&erring, Some("q=a%20b"));
    assert!(
        url.contains("erring%20page%20%231%20%C3%BC.html#q=a%20b"),
        "{url}"
    );

    let page = browser.dump_dom(&url);
    let doc = dom(&page);
    assert_eq!(
        doc.by_id("p").unwrap().text(),
        "js ran, dark=false, hash=#q=a%20b"
    );
    assert_eq!(
        doc.by_tag("title")[0].text(),
        "timer ran",
        "virtual time lets timers run"
    );
    assert!(
        page.console.iter().any(|l| l.contains("ERR-MESSAGE")),
        "console.error not seen: {:?}",
        page.console
    );
    assert!(
        page.console
            .iter()
            .any(|l| l.contains("Uncaught") && l.contains("notDefinedAnywhere")),
        "uncaught exception not seen: {:?}",
        page.console
    );

    let dark = browser.dump_dom_with(
        &url,
        Mode {
            dark: true,
            ..Mode::default()
        },
    );
    assert!(dom(&dark).by_id("p").unwrap().text().contains("dark=true"));

    let no_js = browser.dump_dom_with(
        &url,
        Mode {
            javascript: false,
            ..Mode::default()
        },
    );
    assert_eq!(dom(&no_js).by_id("p").unwrap().text(), "no script");
    assert!(
        !no_js.console.iter().any(|l| l.contains("ERR-MESSAGE")),
        "{:?}",
        no_js.console
    );

    // A page that never finishes loading: the run is killed after the timeout, with every
    // process of the browser, and reported as an error instead of hanging the suite.
    let hanging = dir.path().join("hang.html");
    std::fs::write(
        &hanging,
        "<!doctype html><p>x</p><script>for (;;) {}</script>",
    )
    .unwrap();
    let impatient = Chromium {
        timeout: std::time::Duration::from_secs(4),
        ..browser.clone()
    };
    let started = std::time::Instant::now();
    let err = impatient
        .try_dump_dom_with(&file_url(&hanging, None), Mode::default())
        .expect_err("a page that never loads");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(err.contains("killed it (0 of its processes left)"), "{err}");

    // The phone-frame check sees a page that is wider than a phone.
    let wide = dir.path().join("wide.html");
    std::fs::write(
        &wide,
        "<!doctype html><p>x</p><div id=\"w\" style=\"width:2000px\">w</div>",
    )
    .unwrap();
    let out = sticking_out_on_a_phone(&browser, &wide, "");
    assert!(out.iter().any(|e| e.contains("div#w")), "{out:?}");

    let quiet = browser.screenshot(&file_url(&empty_page(dir.path()), None), 390, 844);
    no_console(&quiet, "an empty page");
    let png = Png::decode(&quiet.output).unwrap();
    assert_eq!((png.width, png.height), (390, 844));
    assert_eq!(png.colours(), 1, "an empty page is one colour");
    assert!(Png::decode(b"\x89PNG\r\n\x1a\nshort").is_err());
}

// ---------------------------------------------------------------------------------------------
// The demo archive's report.

#[test]
fn demo_report_first_view_is_a_picture_in_light_dark_and_on_a_phone_without_console_output() {
    let Some(browser) = chromium::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (_, report) = demo(dir.path());
    let url = file_url(&report, None);
    let empty_url = file_url(&empty_page(dir.path()), None);

    let light = browser.screenshot(&url, 1280, 900);
    no_console(&light, "first view");
    let empty = browser.screenshot(&empty_url, 1280, 900);
    let light_png = Png::decode(&light.output).expect("a valid PNG");
    let empty_png = Png::decode(&empty.output).unwrap();
    assert_eq!((light_png.width, light_png.height), (1280, 900));
    assert!(
        light.output.len() > empty.output.len(),
        "the report's screenshot ({} bytes) is no larger than an empty page's ({} bytes)",
        light.output.len(),
        empty.output.len()
    );
    let differing = light_png.pixels_differing_from(&empty_png);
    assert!(
        differing > 1280 * 900 / 50,
        "only {differing} pixels differ from an empty page"
    );
    assert!(
        light_png.colours() > 16,
        "the first view has only {} colours",
        light_png.colours()
    );

    let dark = browser.screenshot_with(
        &url,
        Mode {
            dark: true,
            ..Mode::default()
        },
    );
    no_console(&dark, "dark mode");
    let dark_png = Png::decode(&dark.output).unwrap();
    assert!(
        dark_png.pixels_differing_from(&light_png) > 1280 * 900 / 10,
        "dark mode looks like light mode"
    );
    assert!(
        dark_png.mean_luminance() + 40.0 < light_png.mean_luminance(),
        "dark mode is not darker: mean luminance {:.0} dark vs {:.0} light",
        dark_png.mean_luminance(),
        light_png.mean_luminance()
    );

    let phone = browser.screenshot(&url, 390, 844);
    no_console(&phone, "a phone-size window");
    let phone_png = Png::decode(&phone.output).unwrap();
    assert_eq!((phone_png.width, phone_png.height), (390, 844));
    let empty_phone = Png::decode(&browser.screenshot(&empty_url, 390, 844).output).unwrap();
    assert!(
        phone_png.pixels_differing_from(&empty_phone) > 390 * 844 / 50,
        "the phone-size view is blank"
    );
    // Readable on a phone: nothing makes the page scroll sideways, with or without results.
    assert_eq!(
        sticking_out_on_a_phone(&browser, &report, ""),
        Vec::<String>::new()
    );
    assert_eq!(
        sticking_out_on_a_phone(&browser, &report, "q=e"),
        Vec::<String>::new()
    );
}

#[test]
fn demo_report_counts_equal_those_of_library_json() {
    let Some(browser) = chromium::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (archive, report) = demo(dir.path());
    let library = latest_library_json(&archive);

    let doc = open(
        &browser,
        &file_url(&report, None),
        "the report without a query",
    );
    assert_marker(&doc);
    for id in [
        "overview", "charts", "history", "lost", "library", "results",
    ] {
        section(&doc, id);
    }
    assert!(
        section(&doc, "results").has_attr("hidden"),
        "#results is shown without a query"
    );
    assert!(!section(&doc, "library").has_attr("hidden"));
    let search_box = doc.by_id("q").expect("the search box");
    assert_eq!(
        (search_box.name.as_str(), search_box.attr("type")),
        ("input", Some("search"))
    );
    let got = page_counts(&doc);
    let want = counts(&library, 1);
    for key in COUNT_KEYS {
        assert_eq!(got.get(key), want.get(key), "data-count={key}");
    }
    // Sanity of the independent computation on the bundled sample.
    assert!(want["liked_tracks"] > 0 && want["playlists"] > 0 && want["followed_artists"] > 0);
}

#[test]
fn demo_report_search_from_the_address_shows_exactly_the_matching_rows() {
    let Some(browser) = chromium::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (archive, report) = demo(dir.path());
    let library = latest_library_json(&archive);

    // A known, enriched track from library.json.
    let known = library["liked_tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["item"])
        .find(|i| !i["musicbrainz"].is_null() && !i["isrc"].is_null())
        .expect("an enriched track in the demo")
        .clone();
    let title = known["name"].as_str().unwrap();
    let artist = known["artists"][0]["name"].as_str().unwrap();
    let isrc = known["isrc"].as_str().unwrap();
    let recording = known["musicbrainz"]["recording_id"].as_str().unwrap();
    let artist_mbid = known["musicbrainz"]["artist_ids"][0].as_str().unwrap();

    // The title exactly as written (one browser run per query: each costs about a second).
    assert!(check_query(&browser, &report, &library, title) >= 1);
    // Several words from different fields (artist's last word, title's first), any order.
    let multi = format!(
        "{} {}",
        title.split_whitespace().next().unwrap(),
        artist.split_whitespace().last().unwrap().to_lowercase()
    );
    assert!(check_query(&browser, &report, &library, &multi) >= 1);
    // All words must match: one word that matches nothing empties the result.
    assert_eq!(
        check_query(
            &browser,
            &report,
            &library,
            &format!("{title} qqzzxxnothing")
        ),
        0
    );
    // Identifiers: ISRC (in lowercase: case is ignored), recording MBID, artist MBID (every
    // track credited to the artist).
    assert!(check_query(&browser, &report, &library, &isrc.to_lowercase()) >= 1);
    assert!(check_query(&browser, &report, &library, recording) >= 1);
    assert!(check_query(&browser, &report, &library, artist_mbid) >= 2);

    // A saved episode is a row too.
    let episode = library["saved_episodes"][0]["item"]["name"]
        .as_str()
        .expect("the demo has a saved episode");
    let words: Vec<&str> = episode.split_whitespace().collect();
    let query = words[words.len().saturating_sub(2)..].join(" ");
    assert!(check_query(&browser, &report, &library, &query) >= 1);

    // Typing into the search box shows the results and puts the query into the address.
    typing_updates_the_address(&browser, &report, &library, &multi);

    // A fragment that is not valid percent-encoding: no exception, the page still works.
    let doc = open(
        &browser,
        &file_url(&report, Some("q=%E0%A4%A")),
        "#q=%E0%A4%A",
    );
    assert_marker(&doc);
    section(&doc, "results");
    section(&doc, "library");
}

#[test]
fn demo_report_without_javascript_lists_every_row_and_draws_the_charts() {
    let Some(browser) = chromium::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (archive, report) = demo(dir.path());
    let library = latest_library_json(&archive);

    let no_js = Mode {
        javascript: false,
        ..Mode::default()
    };
    let page = browser.dump_dom_with(&file_url(&report, None), no_js);
    // Scripting off: the browser parsed <noscript> content as markup.
    let doc = html_dom::parse_with(&page.dom(), false);
    assert_marker(&doc);
    let browse = section(&doc, "library");
    assert!(
        !browse.has_attr("hidden"),
        "#library is hidden without JavaScript"
    );
    assert!(
        !browse.by_tag("details").is_empty(),
        "#library has no <details> collections"
    );
    let text = clean(&browse.visible_text());
    for row in rows(&library).iter().filter(|r| !r.null) {
        assert!(
            text.contains(&clean(&row.title)),
            "without JavaScript, #library does not show {:?} ({})",
            row.title,
            row.uri
        );
    }
    let charts = section(&doc, "charts");
    assert!(
        !charts.by_tag("svg").is_empty(),
        "#charts holds no inline <svg> without JavaScript"
    );
    let got = page_counts(&doc);
    assert_eq!(got, counts(&library, 1), "counts without JavaScript");

    let shot = browser.screenshot_with(&file_url(&report, None), no_js);
    let png = Png::decode(&shot.output).unwrap();
    assert!(png.colours() > 16, "the page without JavaScript is blank");
}

#[test]
fn demo_report_charts_draw_their_data() {
    let Some(browser) = chromium::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (archive, report) = demo(dir.path());
    let library = latest_library_json(&archive);
    // The charts are plain inline SVG: read them as the page is without JavaScript.
    let page = browser.dump_dom_with(
        &file_url(&report, None),
        Mode {
            javascript: false,
            ..Mode::default()
        },
    );
    let doc = html_dom::parse_with(&page.dom(), false);
    let charts = section(&doc, "charts");
    let svgs = charts.by_tag("svg");
    assert!(
        svgs.len() >= 4,
        "the issue asks for four charts (size over time, added per month, top artists, \
         identifier coverage); #charts has {} <svg>",
        svgs.len()
    );
    for (i, svg) in svgs.iter().enumerate() {
        let marks = svg
            .find_all(|e| {
                ["rect", "path", "line", "polyline", "polygon", "circle"].contains(&e.name.as_str())
            })
            .len();
        assert!(
            marks > 0,
            "chart {} draws nothing: {:?}",
            i + 1,
            svg.visible_text()
        );
    }
    // The top artist (most liked songs and playlist tracks), when there is a single one, is
    // named in the charts.
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let playlist_entries = library["playlists"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["entries"].as_array().unwrap());
    for e in library["liked_tracks"]
        .as_array()
        .unwrap()
        .iter()
        .chain(playlist_entries)
    {
        for name in names(&e["item"]["artists"]) {
            *tally.entry(name).or_default() += 1;
        }
    }
    let mut ranked: Vec<(usize, String)> = tally.into_iter().map(|(n, c)| (c, n)).collect();
    ranked.sort_by(|a, b| b.cmp(a));
    if ranked.len() > 1 && ranked[0].0 > ranked[1].0 {
        assert!(
            charts.visible_text().contains(&ranked[0].1),
            "the top artist {:?} is not in the charts",
            ranked[0].1
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Archives built through the library API.

fn item(n: u32, name: &str, artist: &str, album: &str) -> Item {
    let id = format!("{n:0>22}");
    Item {
        item_type: "track".into(),
        id: Some(id.clone()),
        uri: format!("spotify:track:{id}"),
        name: name.into(),
        artists: vec![ArtistRef {
            id: Some(format!("A{n:0>21}")),
            name: artist.into(),
        }],
        album: Some(AlbumRef {
            id: Some(format!("B{n:0>21}")),
            name: album.into(),
            release_date: Some("2020-05-01".into()),
        }),
        duration_ms: Some(200_000),
        explicit: Some(false),
        disc_number: Some(1),
        track_number: Some(1),
        isrc: Some(format!("QZTST26{n:05}")),
        musicbrainz: n.is_multiple_of(2).then(|| RecordingMatch {
            recording_id: format!("00000000-0000-4000-8000-{n:012}"),
            release_id: None,
            release_group_id: None,
            artist_ids: vec![format!("11111111-0000-4000-8000-{n:012}")],
            method: MatchMethod::Isrc,
            confidence: 0.99,
        }),
        show: None,
    }
}

fn entry(position: usize, item: Item) -> Entry {
    Entry {
        position: position as u32,
        added_at: Some(format!(
            "2026-0{}-1{}T10:00:00Z",
            1 + position % 9,
            position % 10
        )),
        added_by: Some("tester".into()),
        kind: EntryKind::Track,
        item: Some(item),
    }
}

fn entries(items: Vec<Item>) -> Vec<Entry> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, it)| entry(i, it))
        .collect()
}

fn playlist(id: &str, name: &str, items: Vec<Item>) -> Playlist {
    let entries = entries(items);
    Playlist {
        id: format!("{id:0>22}"),
        name: name.into(),
        description: Some(format!("About {name}")),
        owner: Owner {
            id: "tester".into(),
            display_name: Some("Tester".into()),
        },
        public: Some(false),
        collaborative: false,
        snapshot_id: Some(format!("snap-{id}")),
        total: entries.len() as u32,
        contents: Contents::Complete,
        not_accessible_reason: None,
        entries,
    }
}

fn library() -> Library {
    Library::empty(
        SOURCE_WEB_API,
        User {
            id: "tester".into(),
            display_name: Some("Tester".into()),
            account_id: None,
        },
    )
}

const PWN: &str = "</script><script>document.title='pwned'</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";

#[test]
fn hostile_names_stay_text_and_can_be_searched() {
    let Some(browser) = chromium::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("archive");
    let long = format!("Long{}", "x".repeat(1996));
    let hostile = [
        PWN.to_string(),
        IMG.to_string(),
        "\u{202e}txt.exe evil RTL override".to_string(),
        "Bell\u{7} escape\u{1b}[31m red \u{0} nul\r\n newline".to_string(),
        long.clone(),
        "🎸🔥 Fire 👩‍👩‍👧 family".to_string(),
        "back\\slash \"dq\" 'sq' \u{2028} ${x} {{y}} %E0%A4%A".to_string(),
        "<!-- comment --> <![CDATA[ x ]]> &amp; &lt;".to_string(),
    ];
    let mut lib = library();
    lib.liked_tracks = entries(
        hostile
            .iter()
            .enumerate()
            .map(|(i, name)| item(i as u32 + 1, name, &hostile[(i + 1) % hostile.len()], IMG))
            .collect(),
    );
    for (i, name) in ["__proto__", "constructor", PWN, IMG, "hasOwnProperty"]
        .iter()
        .enumerate()
    {
        lib.playlists.push(playlist(
            &format!("P{i}"),
            name,
            vec![item(
                100 + i as u32,
                &format!("Song in {name}"),
                "Someone",
                "Somewhere",
            )],
        ));
    }
    write_snapshots(&root, &[lib]);
    let report = write_report(&root, None, &dir.path().join("hostile report.html"));
    let library = latest_library_json(&root);

    let page = browser.dump_dom(&file_url(&report, None));
    no_console(&page, "the hostile library");
    let doc = dom(&page);
    assert_marker(&doc);
    let title = doc
        .by_tag("title")
        .first()
        .map(|t| t.text())
        .unwrap_or_default();
    assert!(
        !title.contains("pwned"),
        "a name ran as script: title {title:?}"
    );
    let handlers: Vec<String> = doc
        .descendants()
        .iter()
        .flat_map(|e| {
            e.attrs
                .iter()
                .filter(|(k, _)| k.starts_with("on"))
                .map(move |(k, v)| format!("<{} {k}={v:?}>", e.name))
        })
        .collect();
    assert!(
        handlers.is_empty(),
        "event handler attributes in the DOM: {handlers:?}"
    );
    assert!(
        doc.by_tag("img").iter().all(|i| i.attr("src") != Some("x")),
        "a name became an <img>"
    );
    let scripts_with_code: Vec<String> = doc
        .by_tag("script")
        .iter()
        .filter(|s| s.attr("type") != Some("application/json"))
        .map(|s| s.text())
        .filter(|t| t.contains("pwned"))
        .collect();
    assert!(scripts_with_code.is_empty(), "a name became script code");
    assert_eq!(page_counts(&doc), counts(&library, 1));

    // Every name is shown as text (control characters may be dropped). With JavaScript on
    // the page may render a collection's rows only when it is opened, so this reads the page
    // as it is without JavaScript: every row in the HTML.
    let no_js = browser.dump_dom_with(
        &file_url(&report, None),
        Mode {
            javascript: false,
            ..Mode::default()
        },
    );
    let doc = html_dom::parse_with(&no_js.dom(), false);
    assert!(
        doc.by_tag("img").iter().all(|i| i.attr("src") != Some("x")),
        "a name became an <img> (without JavaScript)"
    );
    assert!(
        doc.descendants()
            .iter()
            .all(|e| e.attrs.iter().all(|(k, _)| !k.starts_with("on"))),
        "event handler attributes in the page without JavaScript"
    );
    let browse = clean(&section(&doc, "library").visible_text());
    for name in hostile.iter().chain(
        [
            "__proto__",
            "constructor",
            "hasOwnProperty",
            "Song in __proto__",
        ]
        .map(String::from)
        .iter(),
    ) {
        let shown = clean(name);
        let shown: String = shown.chars().take(300).collect();
        assert!(browse.contains(&shown), "#library does not show {name:?}");
    }

    // Long names do not push the page sideways on a phone.
    assert_eq!(
        sticking_out_on_a_phone(&browser, &report, "q=long"),
        Vec::<String>::new()
    );

    // Searching for the hostile names finds exactly their rows.
    let found: Vec<usize> = [PWN, IMG, "family 🎸🔥", "%E0%A4%A", "__proto__"]
        .iter()
        .map(|query| check_query(&browser, &report, &library, query))
        .collect();
    // PWN: the liked track of that name, the one by an artist of that name, and the playlist
    // entry "Song in <that name>"; IMG is every liked track's album.
    assert_eq!(found[0], 3);
    assert!(found[1] >= 8);
    assert!(found.iter().all(|&n| n >= 1), "{found:?}");
}

#[test]
fn search_lists_at_most_500_rows_and_counts_them_all() {
    let Some(browser) = chromium::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("archive");
    let mut lib = library();
    lib.liked_tracks = entries(
        (0..700)
            .map(|i| item(i, &format!("Common Song {i}"), "Many Hands", "Big Album"))
            .collect(),
    );
    let mut big: Vec<Item> = (0..500)
        .map(|i| {
            item(
                1000 + i,
                &format!("Common Tune {i}"),
                "Other Hands",
                "Other Album",
            )
        })
        .collect();
    big.extend((0..10).map(|i| item(2000 + i, &format!("Rare Bird {i}"), "Loner", "Solo")));
    // The same track twice in one playlist is two rows.
    big.push(item(2000, "Rare Bird 0", "Loner", "Solo"));
    lib.playlists.push(playlist("BIG", "Big list", big));
    write_snapshots(&root, &[lib]);
    let report = write_report(&root, None, &dir.path().join("big.html"));
    let library = latest_library_json(&root);

    assert_eq!(check_query(&browser, &report, &library, "common"), 1200);
    assert_eq!(check_query(&browser, &report, &library, "rare bird"), 11);
    assert_eq!(check_query(&browser, &report, &library, "hands tune"), 500);
}

/// Three snapshots: (1) → (2) a playlist created ("Freshly Made"), one deleted ("Doomed
/// List"), one renamed ("Old Name Here" → "Shiny New Name"), entries added and removed, a liked
/// song added → (3) "Vanishing Song" (Band B, 2nd entry of "Evening Mix") became a null row, a
/// liked song removed.
fn three_snapshots() -> [Library; 3] {
    let stays = item(1, "Stays Put", "Band A", "Album A");
    let vanishing = item(2, "Vanishing Song", "Band B", "Album B");
    let short = item(3, "Short Lived", "Band C", "Album C");
    let newcomer = item(4, "Newcomer Track", "Band D", "Album D");
    let liked1 = item(5, "Liked One", "Band E", "Album E");
    let liked2 = item(6, "Liked Two", "Band F", "Album F");
    let liked3 = item(7, "Liked Three", "Band G", "Album G");

    let mut s1 = library();
    s1.liked_tracks = entries(vec![liked1.clone(), liked2.clone()]);
    s1.playlists = vec![
        playlist(
            "P1",
            "Evening Mix",
            vec![stays.clone(), vanishing.clone(), short.clone()],
        ),
        playlist(
            "P2",
            "Doomed List",
            vec![item(8, "Doomed Tune", "Band H", "Album H")],
        ),
        playlist(
            "P3",
            "Old Name Here",
            vec![item(9, "Renamed Tune", "Band I", "Album I")],
        ),
    ];
    let mut s2 = s1.clone();
    s2.playlists[0] = playlist(
        "P1",
        "Evening Mix",
        vec![stays.clone(), vanishing.clone(), newcomer.clone()],
    );
    s2.playlists[0].snapshot_id = Some("snap-P1-v2".into());
    s2.playlists.remove(1);
    s2.playlists[1].name = "Shiny New Name".into();
    s2.playlists[1].snapshot_id = Some("snap-P3-v2".into());
    s2.playlists.push(playlist(
        "P4",
        "Freshly Made",
        vec![item(10, "Fresh Tune", "Band J", "Album J")],
    ));
    s2.liked_tracks = entries(vec![liked3.clone(), liked1.clone(), liked2.clone()]);
    let mut s3 = s2.clone();
    let lost = &mut s3.playlists[0].entries[1];
    lost.item = None;
    lost.kind = EntryKind::Unavailable;
    s3.liked_tracks = entries(vec![liked3, liked1]);
    [s1, s2, s3]
}

#[test]
fn history_shows_playlists_created_deleted_renamed_and_what_spotify_lost() {
    let Some(browser) = chromium::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("archive");
    let [s1, s2, s3] = three_snapshots();
    // A report of the first two snapshots first (whatever it caches in the archive must not
    // hide the snapshot that comes next), then the third snapshot.
    let mut ids = write_snapshots(&root, &[s1, s2]);
    write_report(&root, None, &dir.path().join("two.html"));
    ids.extend(write_snapshots(&root, &[s3]));
    assert_eq!(ids.len(), 3);
    let listed: Vec<String> = Archive::open(&root)
        .unwrap()
        .snapshots()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(
        listed, ids,
        "test setup: snapshots listed in the order written"
    );

    let report = write_report(&root, None, &dir.path().join("latest.html"));
    let doc = open(
        &browser,
        &file_url(&report, None),
        "the report of three snapshots",
    );
    assert_eq!(
        page_counts(&doc),
        counts(&library_json(&root, &ids[2]), 3),
        "counts of the latest of three snapshots"
    );
    let history = clean(&section(&doc, "history").visible_text());
    for name in [
        "Freshly Made",
        "Doomed List",
        "Old Name Here",
        "Shiny New Name",
    ] {
        assert!(
            history.contains(name),
            "#history does not mention {name:?}:\n{history}"
        );
    }
    let lost = clean(&section(&doc, "lost").visible_text());
    assert!(
        lost.contains("Vanishing Song"),
        "#lost does not name the entry that became unavailable:\n{lost}"
    );
    // docs/report.md: with its artists, its place and its old Spotify URI.
    for detail in [
        "Band B",
        "Evening Mix",
        "spotify:track:0000000000000000000002",
    ] {
        assert!(
            lost.contains(detail),
            "#lost does not show {detail:?}:\n{lost}"
        );
    }
    for still_there in ["Stays Put", "Newcomer Track", "Liked Two"] {
        assert!(
            !lost.contains(still_there),
            "#lost lists {still_there:?}, which did not become unavailable"
        );
    }
    // The null row is listed but never matches a search, even by its former title.
    assert_eq!(
        check_query(
            &browser,
            &report,
            &library_json(&root, &ids[2]),
            "Vanishing"
        ),
        0
    );

    // An older snapshot's report: its own library, the history up to it, nothing lost yet.
    let first = write_report(&root, Some(&ids[0]), &dir.path().join("first.html"));
    let doc = open(
        &browser,
        &file_url(&first, None),
        "the report of the first snapshot",
    );
    assert_eq!(
        page_counts(&doc),
        counts(&library_json(&root, &ids[0]), 1),
        "counts of the first snapshot"
    );
    let lost = clean(&section(&doc, "lost").visible_text());
    assert!(
        !lost.contains("Vanishing Song"),
        "the first snapshot lost nothing yet"
    );
    let middle = write_report(&root, Some(&ids[1]), &dir.path().join("middle.html"));
    let doc = dom(&browser.dump_dom(&file_url(&middle, None)));
    assert_eq!(page_counts(&doc)["snapshots"], 2);
    let history = clean(&section(&doc, "history").visible_text());
    assert!(history.contains("Doomed List") && history.contains("Freshly Made"));
    let lost = clean(&section(&doc, "lost").visible_text());
    assert!(
        !lost.contains("Vanishing Song"),
        "lost only in the third snapshot"
    );

    // The middle snapshot pruned: the history goes straight from the first to the third.
    Archive::open(&root)
        .unwrap()
        .remove_snapshot(&ids[1])
        .unwrap();
    let pruned = write_report(&root, None, &dir.path().join("pruned.html"));
    let doc = open(
        &browser,
        &file_url(&pruned, None),
        "the report after pruning",
    );
    assert_eq!(
        page_counts(&doc),
        counts(&library_json(&root, &ids[2]), 2),
        "counts after pruning the middle snapshot"
    );
    let history = clean(&section(&doc, "history").visible_text());
    for name in ["Freshly Made", "Doomed List"] {
        assert!(
            history.contains(name),
            "after pruning, #history lost {name:?}:\n{history}"
        );
    }
    let lost = clean(&section(&doc, "lost").visible_text());
    assert!(lost.contains("Vanishing Song"), "after pruning:\n{lost}");
}

#[test]
fn history_skips_a_damaged_snapshot_and_follows_a_rewritten_one() {
    let Some(browser) = chromium::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("archive");
    let [s1, s2, s3] = three_snapshots();
    let ids = write_snapshots(&root, &[s1, s2, s3.clone()]);
    let report = |what: &str| {
        let out = trackvault(dir.path())
            .arg("--archive")
            .arg(&root)
            .arg("report")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    report("first report (fills the cache)");

    // Rewritten after the report, as enrichment rewrites library.json: the next report follows.
    let archive = Archive::open(&root).unwrap();
    let mut rewritten = s3;
    rewritten.playlists[1].name = "Renamed After The Report".into();
    archive.write_library(&ids[2], &rewritten).unwrap();
    report("report after the rewrite");
    let doc = dom(&browser.dump_dom(&file_url(&root.join("report.html"), None)));
    let history = clean(&section(&doc, "history").visible_text());
    assert!(
        history.contains("Renamed After The Report"),
        "#history still shows the snapshot as it was before it was rewritten:\n{history}"
    );

    // The middle snapshot's library.json damaged.
    std::fs::write(
        archive.snapshot_dir(&ids[1]).join("library.json"),
        "{\"schema_version\": 1, ",
    )
    .unwrap();

    let said = report("report with a damaged snapshot");
    assert!(
        said.contains(&ids[1]),
        "the command does not name the damaged snapshot:\n{said}"
    );
    let page = browser.dump_dom(&file_url(&root.join("report.html"), None));
    no_console(&page, "a report with a damaged snapshot");
    let doc = dom(&page);
    assert!(
        doc.visible_text().contains(&ids[1]),
        "the page does not name the damaged snapshot {}",
        ids[1]
    );
    assert_eq!(
        page_counts(&doc),
        counts(&library_json(&root, &ids[2]), 2),
        "counts: two snapshots could be read"
    );
    let history = clean(&section(&doc, "history").visible_text());
    for name in ["Doomed List", "Freshly Made", "Renamed After The Report"] {
        assert!(
            history.contains(name),
            "#history does not mention {name:?}:\n{history}"
        );
    }
    let lost = clean(&section(&doc, "lost").visible_text());
    assert!(lost.contains("Vanishing Song"), "{lost}");
}

// ---------------------------------------------------------------------------------------------
// The command line (no browser needed).

fn one_sentence(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr).into_owned();
    assert!(!text.contains("panicked"), "{text}");
    assert_eq!(text.trim().lines().count(), 1, "one sentence: {text}");
    text
}

/// Files under `dir`, recursively, relative names.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push(path.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn report_command_writes_the_default_file_and_prints_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let (archive, demo_report) = demo(dir.path());
    std::fs::remove_file(&demo_report).unwrap();
    let run = trackvault(dir.path())
        .arg("--archive")
        .arg(&archive)
        .arg("report")
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).into_owned();
    let report = archive.join("report.html");
    assert!(report.is_file(), "no {}", report.display());
    assert!(stdout.contains(&report.display().to_string()), "{stdout}");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("data-trackvault-report=\"1\""));
    // Self-contained: nothing is loaded from elsewhere.
    for remote in [
        "src=\"http",
        "href=\"http://",
        "@import",
        "src=\"//",
        "<link rel=\"stylesheet\"",
    ] {
        assert!(!html.contains(remote), "the page loads something: {remote}");
    }

    let out = dir.path().join("elsewhere.html");
    trackvault(dir.path())
        .arg("--archive")
        .arg(&archive)
        .args(["report", "latest", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.is_file());
}

/// An unknown snapshot is an archive lookup that failed, exit 1, as for `diff` and `export`; a
/// malformed id is a usage error (exit 2, tested below).
#[test]
fn report_command_names_an_unknown_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let (archive, _) = demo(dir.path());
    let out = trackvault(dir.path())
        .arg("--archive")
        .arg(&archive)
        .args(["report", "2020-01-01T00-00-00Z"])
        .output()
        .unwrap();
    let text = one_sentence(&out.stderr);
    assert!(text.contains("2020-01-01T00-00-00Z"), "{text}");
    assert_eq!(out.status.code(), Some(1), "unknown snapshot: {text}");
}

#[test]
fn report_command_says_one_sentence_for_bad_input_and_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let (archive, demo_report) = demo(dir.path());
    std::fs::remove_file(&demo_report).unwrap();
    let before = files_under(&archive);

    // A snapshot that does not exist: one sentence naming it (exit code: see the test above).
    let out = trackvault(dir.path())
        .arg("--archive")
        .arg(&archive)
        .args(["report", "2020-01-01T00-00-00Z"])
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(1 | 2)));
    assert!(one_sentence(&out.stderr).contains("2020-01-01T00-00-00Z"));
    let report = |args: &[&std::ffi::OsStr]| {
        let out = trackvault(dir.path())
            .arg("--archive")
            .arg(&archive)
            .arg("report")
            .args(args)
            .output()
            .unwrap();
        (out.status.code(), out.stderr)
    };

    // A snapshot id that is not one: a usage error.
    let (code, err) = report(&["../../etc".as_ref()]);
    assert_eq!(code, Some(2), "{}", String::from_utf8_lossy(&err));
    one_sentence(&err);

    // --out under a regular file (not a folder) and into a read-only file system.
    let file = dir.path().join("a file");
    std::fs::write(&file, "x").unwrap();
    let (code, err) = report(&["--out".as_ref(), file.join("report.html").as_os_str()]);
    assert!(matches!(code, Some(1 | 2)), "parent is a file: {code:?}");
    one_sentence(&err);
    if Path::new("/proc/self").is_dir() {
        let (code, err) = report(&["--out".as_ref(), "/proc/trackvault-report.html".as_ref()]);
        assert!(matches!(code, Some(1 | 2)), "read-only place: {code:?}");
        one_sentence(&err);
        assert!(!Path::new("/proc/trackvault-report.html").exists());
    }

    // --out naming an existing folder: the final rename fails; no temporary file is left.
    let target = dir.path().join("taken");
    std::fs::create_dir(&target).unwrap();
    let (code, err) = report(&["--out".as_ref(), target.as_os_str()]);
    assert!(matches!(code, Some(1 | 2)), "out is a folder: {code:?}");
    one_sentence(&err);
    assert!(target.is_dir());
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "config")
        .collect();
    left.sort();
    assert_eq!(left, ["a file", "demo out", "taken"], "files left behind");
    assert_eq!(files_under(&target), Vec::<String>::new());
    assert_eq!(files_under(&archive), before, "the archive changed");

    // An archive with no snapshot yet.
    let empty = dir.path().join("empty archive");
    std::fs::create_dir(&empty).unwrap();
    let out = trackvault(dir.path())
        .arg("--archive")
        .arg(&empty)
        .arg("report")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = one_sentence(&out.stderr);
    assert!(
        text.contains("no complete snapshot") || text.contains("no snapshot"),
        "{text}"
    );
    assert!(
        text.contains("backup"),
        "the sentence says what to do: {text}"
    );
    assert!(!empty.join("report.html").exists());
}
