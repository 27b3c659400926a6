//! Text normalization for matching Spotify tracks to MusicBrainz recordings.
//!
//! The primary comparison key of a string is its own script, NFKC-folded and lowercased
//! ([`normalize_title`], [`normalize_artist`]); an ASCII transliteration ([`fallback_key`]) is
//! only a fallback, because `deunicode` reads Japanese kanji as Mandarin.
//!
//! A title is split into a base and trailing *segments* (`(…)`, `[…]`, ` - …`). A segment is
//! one of: a featured-artist credit (dropped, its names kept), "guff" that MusicBrainz treats as
//! the same recording (remaster, year, mono/stereo, album version — dropped), a version marker
//! (live, remix, edit … — a different recording, reported by [`version_markers`]), or ordinary
//! title text (kept, e.g. "(Part 2)").

use std::collections::BTreeSet;

use unicode_normalization::UnicodeNormalization;

/// A version of a song that MusicBrainz stores as a recording of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VersionMarker {
    Live,
    Remix,
    Edit,
    RadioEdit,
    Extended,
    Acoustic,
    Instrumental,
    Karaoke,
    Cover,
    Demo,
    Acapella,
    /// A new recording of an old song ("Taylor's Version", "Re-Recorded").
    ReRecorded,
    /// Any other "… Version"/"… Mix" that is not a remaster (language, piano, orchestral …).
    Other,
}

/// A title split into the parts matching cares about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TitleParts {
    /// Normalized title without featured credits, same-recording suffixes and version segments.
    pub base: String,
    /// Normalized text of each version segment ("four tet remix", "live at wembley 1986").
    pub version_texts: Vec<String>,
    pub markers: BTreeSet<VersionMarker>,
    /// Featured artists named in the title, case-folded ("feat. Snoop Dogg" → "snoop dogg").
    pub featured: Vec<String>,
}

/// Normalized title: NFKC, lowercase, quote/apostrophe/dash variants unified, punctuation
/// dropped, featured credits and same-recording suffixes ("- 2011 Remaster", "(Mono)")
/// removed. Version segments ("- Live", "(Acoustic)") stay, so "Potions - Acoustic" and
/// "Potions (Acoustic)" both become "potions acoustic".
pub fn normalize_title(s: &str) -> String {
    let folded = fold(s);
    let (base, segments) = split_segments(&folded);
    let mut kept = vec![base];
    for seg in segments {
        match classify(&seg) {
            Segment::Feat(_) | Segment::Guff => {}
            Segment::Version(..) | Segment::Plain => kept.push(seg),
        }
    }
    canon(&kept.join(" "))
}

/// The title without its version segments, with the markers and texts of those segments.
pub fn title_parts(s: &str) -> TitleParts {
    let folded = fold(s);
    let (base, segments) = split_segments(&folded);
    let mut parts = TitleParts::default();
    let mut kept = vec![base];
    for seg in segments {
        match classify(&seg) {
            Segment::Feat(names) => parts.featured.extend(names),
            Segment::Guff => {}
            Segment::Version(markers) => {
                parts.markers.extend(markers);
                parts.version_texts.push(canon(&seg));
            }
            Segment::Plain => kept.push(seg),
        }
    }
    parts.base = canon(&kept.join(" "));
    if parts.base.is_empty() {
        // A title that is nothing but a bracket ("(Untitled)") keeps its text.
        parts.base = canon(&folded);
    }
    parts
}

/// The version markers of a title (or of a MusicBrainz disambiguation comment, which is read
/// as one segment). A remaster is not a version: it is the same recording.
pub fn version_markers(title: &str) -> BTreeSet<VersionMarker> {
    title_parts(title).markers
}

/// Markers in a free-text comment such as a MusicBrainz disambiguation ("live, 1978-04-29").
pub fn comment_markers(comment: &str) -> BTreeSet<VersionMarker> {
    match classify(&fold(comment)) {
        Segment::Version(m) => m,
        _ => BTreeSet::new(),
    }
}

/// "mono" or "stereo" when a title or comment names one. Not a version (a remaster in mono is
/// the same recording), but MusicBrainz sometimes keeps both mixes: a preference, not a rule.
pub fn channel_tag(s: &str) -> Option<&'static str> {
    let c = canon(&fold(s));
    let words: Vec<&str> = c.split(' ').collect();
    if words.contains(&"mono") {
        Some("mono")
    } else if words.contains(&"stereo") {
        Some("stereo")
    } else {
        None
    }
}

/// Featured artists named in a title: "(feat. A & B)", "[with C]", "- feat. D", "ft. E";
/// case-folded (MusicBrainz search is case-insensitive).
pub fn featured_artists(title: &str) -> Vec<String> {
    title_parts(title).featured
}

/// Normalized artist name: like a title, plus "The Beatles" = "Beatles, The" = "beatles" and
/// "&"/"+" = "and".
pub fn normalize_artist(s: &str) -> String {
    let mut n = canon(&fold(s).replace(" + ", " and "));
    if let Some(rest) = n.strip_suffix(" the") {
        // Sort-name form "Beatles, The" (the comma is gone by now).
        if s.trim_end().to_lowercase().ends_with(", the") {
            n = rest.to_string();
        }
    }
    // "The The" stays "the", and stripping stops where another "the " would follow, so
    // normalizing twice changes nothing.
    if let Some(rest) = n.strip_prefix("the ") {
        if !rest.starts_with("the ") {
            n = rest.to_string();
        }
    }
    n
}

/// ASCII transliteration key (deunicode) of a normalized string. Only meaningful as a fallback
/// when the two sides are written in different scripts, or differ only in diacritics.
pub fn fallback_key(s: &str) -> String {
    let ascii = deunicode::deunicode(&normalize_title(s));
    canon(&ascii.to_lowercase())
}

/// Normalized ISRC (uppercase, no hyphens or spaces) or `None` when it is not shaped like one
/// (`CC-XXX-YY-NNNNN`: 2 letters, 3 alphanumerics, 7 digits).
pub fn normalize_isrc(s: &str) -> Option<String> {
    let c: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let b = c.as_bytes();
    let ok = b.len() == 12
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..5]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && b[5..].iter().all(u8::is_ascii_digit);
    ok.then_some(c)
}

/// Escape a term for a Lucene query outside quotes: every special character
/// (`+ - & | ! ( ) { } [ ] ^ " ~ * ? : \ /`) gets a backslash, and the operators
/// `AND`/`OR`/`NOT` are lowercased so they stay words.
pub fn escape_lucene(s: &str) -> String {
    let words: Vec<String> = s
        .split(' ')
        .map(|word| {
            let word = match word {
                "AND" | "OR" | "NOT" => word.to_lowercase(),
                _ => word.to_string(),
            };
            let mut out = String::with_capacity(word.len() + 2);
            for c in word.chars() {
                if "+-&|!(){}[]^\"~*?:\\/".contains(c) {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        })
        .collect();
    words.join(" ")
}

/// Escape a value for use inside a Lucene phrase (`"…"`): only `\` and `"` need it.
pub fn escape_lucene_phrase(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// True when the string has letters outside the Latin script.
pub fn has_non_latin(s: &str) -> bool {
    s.chars().any(|c| c.is_alphabetic() && !is_latin(c))
}

/// True when the string has CJK ideographs, which deunicode reads as Mandarin.
pub fn has_han(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
    })
}

/// True when the string has Chinese, Japanese or Korean letters. Their transliterations are
/// no use against what Spotify shows: kanji read as Mandarin, katakana loanwords spelled out
/// in romaji ("purasuteitsuku rabu" for "Plastic Love"), Hangul titles shown translated.
pub fn has_cjk(s: &str) -> bool {
    has_han(s)
        || s.chars().any(|c| {
            matches!(c as u32, 0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F
                | 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF)
        })
}

/// The writing system most of a string's letters are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    Latin,
    Cyrillic,
    Greek,
    /// Han ideographs and kana (Japanese or Chinese).
    HanKana,
    Hangul,
    Other,
}

fn script_of(c: char) -> Option<Script> {
    if !c.is_alphabetic() {
        return None;
    }
    let u = c as u32;
    Some(if is_latin(c) {
        Script::Latin
    } else if matches!(u, 0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F) {
        Script::Cyrillic
    } else if matches!(u, 0x0370..=0x03FF | 0x1F00..=0x1FFF) {
        Script::Greek
    } else if matches!(u, 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF) {
        Script::Hangul
    } else if has_cjk(c.encode_utf8(&mut [0u8; 4])) {
        Script::HanKana
    } else {
        Script::Other
    })
}

/// The script of most of the letters of `s`; None without letters (digits, punctuation).
pub fn main_script(s: &str) -> Option<Script> {
    let mut counts: Vec<(Script, usize)> = Vec::new();
    for sc in s.chars().filter_map(script_of) {
        match counts.iter_mut().find(|(k, _)| *k == sc) {
            Some((_, n)) => *n += 1,
            None => counts.push((sc, 1)),
        }
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(sc, _)| sc)
}

/// True when both strings have letters and most of them are in different scripts.
pub fn scripts_differ(a: &str, b: &str) -> bool {
    matches!((main_script(a), main_script(b)), (Some(x), Some(y)) if x != y)
}

fn is_latin(c: char) -> bool {
    matches!(c as u32, 0..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF)
}

/// NFKC, lowercase and one spelling of apostrophes, quotes and dashes. Keeps punctuation so
/// segments can still be found.
fn fold(s: &str) -> String {
    let nfkc: String = s.nfkc().collect();
    let lower = nfkc.to_lowercase().replace('ß', "ss");
    lower
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' | '\u{02BC}' | '`' => {
                '\''
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
            | '\u{2033}' => '"',
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' => '-',
            '【' | '「' | '『' | '〔' | '〈' | '《' => '(',
            '】' | '」' | '』' | '〕' | '〉' | '》' => ')',
            _ => c,
        })
        .collect()
}

/// Final canonical form: letters and digits of any script, "&" read as "and", apostrophes
/// dropped ("don't" = "dont"), everything else a single space. Idempotent.
fn canon(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let push_word = |out: &mut String, w: &str, pending: &mut bool| {
        if *pending && !out.is_empty() {
            out.push(' ');
        }
        *pending = false;
        out.push_str(w);
    };
    for c in s.chars() {
        if c == '\'' {
            continue;
        }
        if c == '&' {
            pending_space = true;
            push_word(&mut out, "and", &mut pending_space);
            pending_space = true;
        } else if c.is_alphanumeric() {
            let mut buf = [0u8; 4];
            push_word(&mut out, c.encode_utf8(&mut buf), &mut pending_space);
        } else {
            pending_space = true;
        }
    }
    if out.split(' ').any(|w| expand(w).is_some()) {
        out = out
            .split(' ')
            .map(|w| expand(w).unwrap_or(w))
            .collect::<Vec<_>>()
            .join(" ");
    }
    // "No. 2" = "#2" = "2": a number sign before a number is dropped (walking backwards so
    // that normalizing twice changes nothing).
    let words: Vec<&str> = out.split(' ').collect();
    if words.len() > 1 && words.iter().any(|w| matches!(*w, "no" | "nr")) {
        let mut kept: Vec<&str> = Vec::with_capacity(words.len());
        for w in words.iter().rev() {
            let before_number = kept
                .last()
                .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
            if matches!(*w, "no" | "nr") && before_number {
                continue;
            }
            kept.push(w);
        }
        kept.reverse();
        out = kept.join(" ");
    }
    out
}

/// Abbreviations written both ways in titles and names ("Pt. 2", "Rock 'n' Roll", "Guns N'
/// Roses"). The expansions are not abbreviations themselves, so `canon` stays idempotent.
fn expand(word: &str) -> Option<&'static str> {
    match word {
        "pt" => Some("part"),
        "vol" => Some("volume"),
        "n" => Some("and"),
        // Roman part numbers ("Pt. II" = "Part 2").
        "ii" => Some("2"),
        "iii" => Some("3"),
        _ => None,
    }
}

/// Split a folded title into its leading text and trailing segments. Brackets anywhere after
/// the start and ` - ` separators start a segment; a leading bracket ("(Don't Fear) The
/// Reaper") is title text.
fn split_segments(s: &str) -> (String, Vec<String>) {
    let mut base = String::new();
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut in_dash = false;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let opens = matches!(c, '(' | '[' | '{');
        let closes = matches!(c, ')' | ']' | '}');
        let at_start = base.trim().is_empty() && segments.is_empty() && !in_dash;
        if opens && depth == 0 && !at_start {
            flush(&mut base, &mut segments, &mut current, in_dash);
            in_dash = false;
            depth = 1;
        } else if opens && depth > 0 {
            depth += 1;
            current.push(' ');
        } else if closes && depth > 0 {
            depth -= 1;
            if depth == 0 {
                segments.push(std::mem::take(&mut current));
            } else {
                current.push(' ');
            }
        } else if depth == 0
            && c == '-'
            && i > 0
            && chars[i - 1].is_whitespace()
            && chars.get(i + 1).is_some_and(|n| n.is_whitespace())
            && !(base.trim().is_empty() && segments.is_empty())
        {
            flush(&mut base, &mut segments, &mut current, in_dash);
            in_dash = true;
        } else if depth == 0 && !in_dash && at_start && opens {
            base.push(c);
        } else if depth > 0 || in_dash {
            current.push(c);
        } else {
            base.push(c);
        }
        i += 1;
    }
    if depth > 0 || in_dash {
        segments.push(current);
    }
    segments.retain(|s| !s.trim().is_empty());
    // Dash segments may themselves hold "live / remastered"; classify reads words, so fine.
    (base, segments)
}

fn flush(base: &mut String, segments: &mut Vec<String>, current: &mut String, in_dash: bool) {
    if in_dash {
        segments.push(std::mem::take(current));
    } else {
        base.push_str(current);
        current.clear();
    }
}

enum Segment {
    Feat(Vec<String>),
    Guff,
    Version(BTreeSet<VersionMarker>),
    Plain,
}

/// Words that only describe a remaster, reissue or the default version: same recording.
const GUFF: &[&str] = &[
    "remaster",
    "remastered",
    "remasters",
    "remastering",
    "digital",
    "digitally",
    "version",
    "edition",
    "mono",
    "stereo",
    "original",
    "album",
    "lp",
    "explicit",
    "clean",
    "bonus",
    "track",
    "deluxe",
    "anniversary",
    "expanded",
    "reissue",
    "hd",
    "hq",
    "the",
    "of",
    "th",
    "st",
    "nd",
    "rd",
];

fn classify(seg: &str) -> Segment {
    let trimmed = seg.trim();
    // Featured credit: "feat. X", "ft. X", "featuring X", "with X".
    for prefix in ["feat.", "feat ", "ft.", "ft ", "featuring ", "with "] {
        if let Some(rest) = trimmed.strip_prefix(prefix) {
            return Segment::Feat(split_names(rest));
        }
    }
    let words: Vec<String> = canon(trimmed).split(' ').map(str::to_string).collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    if w.is_empty() || w == [""] {
        return Segment::Guff;
    }
    if w[0] == "from" {
        // "From "Film" Soundtrack", "From the Motion Picture …": same recording.
        return Segment::Guff;
    }
    let markers = markers_of_words(&w);
    if !markers.is_empty() {
        return Segment::Version(markers);
    }
    let is_year = |t: &str| t.len() == 4 && t.chars().all(|c| c.is_ascii_digit());
    let is_short_year = |t: &str| t.len() == 2 && t.chars().all(|c| c.is_ascii_digit());
    let has_guff_keyword = w.iter().any(|t| {
        t.starts_with("remaster") || matches!(*t, "mono" | "stereo" | "digital" | "digitally")
    });
    let all_guff = w
        .iter()
        .all(|t| GUFF.contains(t) || is_year(t) || (has_guff_keyword && is_short_year(t)));
    // "2009 Version" alone is more often a re-recording than a remaster.
    if all_guff && !has_guff_keyword && w.iter().any(|t| is_year(t)) && w.contains(&"version") {
        return Segment::Version(BTreeSet::from([VersionMarker::Other]));
    }
    if all_guff {
        return Segment::Guff;
    }
    Segment::Plain
}

fn markers_of_words(w: &[&str]) -> BTreeSet<VersionMarker> {
    use VersionMarker::*;
    let mut m = BTreeSet::new();
    let has = |t: &str| w.contains(&t);
    let pair = |a: &str, b: &str| w.windows(2).any(|p| p[0] == a && p[1] == b);
    if has("live")
        || has("unplugged")
        || has("session")
        || has("sessions")
        || pair("en", "vivo")
        || pair("ao", "vivo")
        || pair("en", "directo")
        || has("concert")
    {
        m.insert(Live);
    }
    if has("acoustic") || has("stripped") || has("akustik") || has("acustica") || has("acustico") {
        m.insert(Acoustic);
    }
    if has("instrumental") || has("inst") || has("off") && has("vocal") {
        m.insert(Instrumental);
    }
    if has("karaoke")
        || pair("originally", "performed")
        || pair("in", "the") && has("style")
        || pair("backing", "track")
    {
        m.insert(Karaoke);
    }
    if has("cover") || has("tribute") {
        m.insert(Cover);
    }
    if has("demo") {
        m.insert(Demo);
    }
    if has("acapella") || has("acappella") || pair("a", "cappella") || pair("a", "capella") {
        m.insert(Acapella);
    }
    if has("rerecorded")
        || pair("re", "recorded")
        || pair("re", "recording")
        || pair("taylors", "version")
        || pair("new", "version")
    {
        m.insert(ReRecorded);
    }
    let radio = has("radio");
    let extended = has("extended") || has("club") || pair("12", "inch") || pair("12", "version");
    if radio && (has("edit") || has("version") || has("mix")) {
        m.insert(RadioEdit);
    } else if extended {
        m.insert(Extended);
    } else if has("edit") || pair("single", "version") || pair("single", "mix") {
        m.insert(Edit);
    }
    let default_mix = has("original") || has("album") || has("mono") || has("stereo");
    if has("remix")
        || has("rmx")
        || has("rework")
        || has("remixed")
        || has("bootleg")
        || has("dub")
        || has("vip")
        || (has("mix") && !default_mix && !radio && !extended && !pair("single", "mix"))
    {
        m.insert(Remix);
    }
    if m.is_empty() && has("version") {
        let neutral = w.iter().all(|t| {
            GUFF.contains(t)
                || t.starts_with("remaster")
                || (t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()))
        });
        if !neutral {
            m.insert(Other);
        }
    }
    if m.is_empty() && (has("orchestral") || has("piano")) && w.len() <= 3 {
        m.insert(Other);
    }
    m
}

/// "A, B & C" → ["A", "B", "C"].
fn split_names(s: &str) -> Vec<String> {
    let mut names = vec![s.to_string()];
    for sep in [", ", " & ", " and ", " x ", " + ", " / ", "; "] {
        names = names
            .iter()
            .flat_map(|n| n.split(sep).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    names
        .into_iter()
        .map(|n| {
            n.trim()
                .trim_end_matches(['.', ')', ']'])
                .trim()
                .to_string()
        })
        .filter(|n| !n.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use VersionMarker::*;

    #[test]
    fn remaster_suffixes_are_the_same_recording() {
        for t in [
            "Don't Stop Me Now - 2011 Remaster",
            "Don’t Stop Me Now (Remastered 2011)",
            "Don't Stop Me Now - Remastered",
            "Don't Stop Me Now [2011 Remastered Version]",
            "Don't Stop Me Now - Mono",
            "DON'T STOP ME NOW",
            "Don't Stop Me Now - Digitally Remastered 97",
        ] {
            assert_eq!(normalize_title(t), "dont stop me now", "{t}");
            assert!(version_markers(t).is_empty(), "{t}");
        }
    }

    #[test]
    fn dash_and_bracket_versions_agree() {
        assert_eq!(normalize_title("Potions - Acoustic"), "potions acoustic");
        assert_eq!(normalize_title("Potions (Acoustic)"), "potions acoustic");
        assert_eq!(
            version_markers("Potions - Acoustic"),
            BTreeSet::from([Acoustic])
        );
        let p = title_parts("This Room - Four Tet & Manitoba Remix");
        assert_eq!(p.base, "this room");
        assert_eq!(p.version_texts, vec!["four tet and manitoba remix"]);
        assert_eq!(p.markers, BTreeSet::from([Remix]));
    }

    #[test]
    fn markers() {
        assert_eq!(
            version_markers("Song - Live at Wembley 1986"),
            BTreeSet::from([Live])
        );
        assert_eq!(
            version_markers("Song - Radio Edit"),
            BTreeSet::from([RadioEdit])
        );
        assert_eq!(
            version_markers("Song (Extended Mix)"),
            BTreeSet::from([Extended])
        );
        assert_eq!(version_markers("Song (Original Mix)"), BTreeSet::new());
        assert_eq!(
            version_markers("Song - Single Version"),
            BTreeSet::from([Edit])
        );
        assert_eq!(
            version_markers("Song (Taylor's Version)"),
            BTreeSet::from([ReRecorded])
        );
        assert_eq!(
            version_markers("Song - Spanish Version"),
            BTreeSet::from([Other])
        );
        assert_eq!(version_markers("Live and Let Die"), BTreeSet::new());
        assert_eq!(
            version_markers("Song - Live / Remastered 2009"),
            BTreeSet::from([Live])
        );
        assert_eq!(
            comment_markers("live, 1978-04-29: Madison Square Garden"),
            BTreeSet::from([Live])
        );
        assert_eq!(comment_markers("explicit"), BTreeSet::new());
        assert_eq!(
            normalize_title("(Don't Fear) The Reaper"),
            "dont fear the reaper"
        );
        assert_eq!(normalize_title("Song (Part 2)"), "song part 2");
        assert_eq!(normalize_title("Song, Pt. 2"), "song part 2");
        assert_eq!(normalize_title("Song Pt. II"), "song part 2");
        assert_eq!(
            normalize_title("Rhapsody No. 2"),
            normalize_title("Rhapsody #2")
        );
        assert_eq!(normalize_title("No No 2"), "2");
        assert_eq!(
            normalize_title("Rock 'n' Roll"),
            normalize_title("Rock and Roll")
        );
    }

    #[test]
    fn featured_credits() {
        assert_eq!(
            featured_artists("Song (feat. A, B & C)"),
            vec!["a", "b", "c"]
        );
        assert_eq!(featured_artists("Song [with Someone]"), vec!["someone"]);
        assert_eq!(featured_artists("Song - feat. X"), vec!["x"]);
        assert_eq!(
            normalize_title("Song (feat. A, B & C) - Radio Edit"),
            "song radio edit"
        );
    }

    #[test]
    fn artists() {
        assert_eq!(normalize_artist("The Beatles"), "beatles");
        assert_eq!(normalize_artist("Beatles, The"), "beatles");
        assert_eq!(normalize_artist("Simon & Garfunkel"), "simon and garfunkel");
        assert_eq!(normalize_artist("The The"), "the");
    }

    #[test]
    fn isrc() {
        assert_eq!(
            normalize_isrc("us-rc1-76-07839").as_deref(),
            Some("USRC17607839")
        );
        assert_eq!(
            normalize_isrc(" GB AHS 11 00095 ").as_deref(),
            Some("GBAHS1100095")
        );
        assert_eq!(normalize_isrc("GBAHS110009"), None);
        assert_eq!(normalize_isrc("GBAHS11000X5"), None);
        assert_eq!(normalize_isrc("1BAHS1100095"), None);
        assert_eq!(normalize_isrc(""), None);
    }

    #[test]
    fn lucene() {
        assert_eq!(escape_lucene("AC/DC"), "AC\\/DC");
        assert_eq!(escape_lucene("a && b || c"), "a \\&\\& b \\|\\| c");
        assert_eq!(escape_lucene("Rock AND Roll"), "Rock and Roll");
        assert_eq!(escape_lucene("\"Heroes\""), "\\\"Heroes\\\"");
        assert_eq!(escape_lucene("what? (1:2)"), "what\\? \\(1\\:2\\)");
        assert_eq!(
            escape_lucene_phrase("say \"hi\" \\o/"),
            "say \\\"hi\\\" \\\\o/"
        );
    }

    #[test]
    fn scripts() {
        assert!(has_non_latin("Кино"));
        assert!(!has_non_latin("Beyoncé"));
        assert!(has_han("坂本龍一"));
        assert!(has_cjk("ポリリズム") && has_cjk("봄날") && !has_cjk("Кино"));
        assert_eq!(fallback_key("Группа крови"), "gruppa krovi");
        assert_eq!(fallback_key("Beyoncé"), "beyonce");
        assert_eq!(main_script("Группа крови 2"), Some(Script::Cyrillic));
        assert_eq!(main_script("夜に駆ける"), Some(Script::HanKana));
        assert_eq!(main_script("Ζορμπάς"), Some(Script::Greek));
        assert_eq!(main_script("봄날"), Some(Script::Hangul));
        assert_eq!(main_script("1999"), None);
        assert!(scripts_differ("Gruppa krovi", "Группа крови"));
        assert!(!scripts_differ("Beyoncé", "Beyonce"));
        assert!(!scripts_differ("1999", "Группа"));
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        /// Titles built from pieces that exercise the segment rules, plus arbitrary text.
        fn title() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                "\\PC{0,12}",
                Just(" - ".to_string()),
                Just("(".to_string()),
                Just(")".to_string()),
                Just("[feat. ".to_string()),
                Just(" Remastered 2011".to_string()),
                Just(" live ".to_string()),
                Just(" & ".to_string()),
                Just("’".to_string()),
                Just("The ".to_string()),
                Just(", The".to_string()),
                Just("Кино ".to_string()),
                Just("夜に駆ける".to_string()),
                Just("İ".to_string()),
            ];
            proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
        }

        proptest! {
            #[test]
            fn normalize_title_is_idempotent(s in title()) {
                let once = normalize_title(&s);
                prop_assert_eq!(normalize_title(&once), once);
            }

            #[test]
            fn normalize_artist_is_idempotent(s in title()) {
                let once = normalize_artist(&s);
                prop_assert_eq!(normalize_artist(&once), once);
            }

            #[test]
            fn fallback_key_is_idempotent_ascii(s in title()) {
                let once = fallback_key(&s);
                prop_assert!(once.is_ascii());
                prop_assert_eq!(fallback_key(&once), once);
            }

            #[test]
            fn isrc_normalization_is_idempotent(s in "[A-Za-z0-9 -]{0,16}") {
                if let Some(n) = normalize_isrc(&s) {
                    prop_assert_eq!(normalize_isrc(&n), Some(n.clone()));
                    prop_assert_eq!(n.len(), 12);
                }
            }

            #[test]
            fn lucene_escaping_leaves_no_bare_operator(s in "\\PC{0,40}|(AND|OR|NOT|&&|\\|\\||[a-z ]){0,10}") {
                let e = escape_lucene(&s);
                let mut chars = e.chars();
                let mut unescaped = String::new();
                while let Some(c) = chars.next() {
                    if c == '\\' {
                        let next = chars.next();
                        prop_assert!(next.is_some_and(|n| "+-&|!(){}[]^\"~*?:\\/".contains(n)), "dangling escape in {e:?}");
                        unescaped.extend(next);
                    } else {
                        prop_assert!(!"+-&|!(){}[]^\"~*?:\\/".contains(c), "bare {c:?} in {e:?}");
                        unescaped.push(c);
                    }
                }
                for word in e.split(' ') {
                    prop_assert!(!matches!(word, "AND" | "OR" | "NOT"), "operator left in {e:?}");
                }
                let expected: Vec<String> = s
                    .split(' ')
                    .map(|w| if matches!(w, "AND" | "OR" | "NOT") { w.to_lowercase() } else { w.to_string() })
                    .collect();
                prop_assert_eq!(unescaped, expected.join(" "));
            }
        }
    }
}
