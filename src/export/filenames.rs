//! File names that are safe on Linux, macOS and Windows and never collide.
//!
//! A playlist name is user text: it may contain separators, `..`, control characters, names
//! Windows reserves (`CON`, `COM1`…), trailing dots or spaces, or be hundreds of bytes long.
//! [`safe_stem`] turns it into a usable file stem; [`NameSet`] makes stems unique, comparing
//! them the way case-insensitive file systems (macOS, Windows) do.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;

/// Longest stem in bytes. With a collision suffix and an extension the full name stays well
/// under the 255-byte limit of ext4, APFS and NTFS.
pub const MAX_STEM_BYTES: usize = 200;

/// Stem used when nothing usable is left of a name.
const FALLBACK: &str = "untitled";

/// Characters Windows refuses in file names (`/` and `\` are also separators everywhere).
const FORBIDDEN: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];

/// Turns arbitrary text into a file stem (no extension) that every common OS accepts.
pub fn safe_stem(name: &str) -> String {
    let mut stem: String = name
        .nfc()
        .map(|c| {
            if FORBIDDEN.contains(&c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    stem = stem.trim().to_string();
    // A leading dot hides the file on Unix and `.`/`..` are directory references.
    if stem.starts_with('.') {
        stem.replace_range(0..1, "_");
    }
    if is_reserved_on_windows(&stem) {
        stem.insert(0, '_');
    }
    truncate_bytes(&mut stem, MAX_STEM_BYTES);
    trim_end_dots_spaces(&mut stem);
    if stem.is_empty() {
        return FALLBACK.to_string();
    }
    stem
}

/// Cuts `s` to at most `max` bytes without splitting a character.
fn truncate_bytes(s: &mut String, max: usize) {
    if s.len() <= max {
        return;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
}

/// Windows silently drops trailing dots and spaces, which would make two names equal.
fn trim_end_dots_spaces(s: &mut String) {
    let kept = s
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace())
        .len();
    s.truncate(kept);
}

/// `CON`, `PRN`, `AUX`, `NUL`, `COM0-9`, `LPT0-9` (also with superscript digits), with or
/// without an extension, in any case.
pub fn is_reserved_on_windows(stem: &str) -> bool {
    let base = stem.split('.').next().unwrap_or("").trim_end();
    let upper = base.to_ascii_uppercase();
    if matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) {
        return true;
    }
    let mut chars = upper.chars();
    let prefix: String = chars.by_ref().take(3).collect();
    let rest: String = chars.collect();
    (prefix == "COM" || prefix == "LPT")
        && rest.chars().count() == 1
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '¹' | '²' | '³'))
}

/// Names already handed out in one directory; case- and normalization-insensitive.
#[derive(Debug, Default)]
pub struct NameSet {
    taken: HashSet<String>,
}

impl NameSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns a file name `<stem><ext>` (ext includes its dot, may be empty) not yet taken,
    /// adding ` (2)`, ` (3)`… in the order names are requested, so the result is deterministic.
    pub fn claim(&mut self, stem: &str, ext: &str) -> String {
        let mut candidate = format!("{stem}{ext}");
        let mut n = 2u32;
        while !self.taken.insert(fold(&candidate)) {
            candidate = format!("{stem} ({n}){ext}");
            n += 1;
        }
        candidate
    }

    /// Marks a name as taken (e.g. a fixed file the format always writes).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(fold(name));
    }
}

/// The key under which a case-insensitive file system compares names.
fn fold(name: &str) -> String {
    name.nfc().flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_safe() {
        assert_eq!(safe_stem("AC/DC: Best?"), "AC_DC_ Best_");
        assert_eq!(safe_stem(".."), "_");
        assert_eq!(safe_stem("../../etc/passwd"), "_._.._etc_passwd");
        assert_eq!(safe_stem("con"), "_con");
        assert_eq!(safe_stem("COM1.txt"), "_COM1.txt");
        assert_eq!(safe_stem("COMPUTER"), "COMPUTER");
        assert_eq!(safe_stem("line\nbreak\u{7}"), "line_break_");
        assert_eq!(safe_stem("trailing. . "), "trailing");
        assert_eq!(safe_stem("   "), "untitled");
        assert_eq!(safe_stem(""), "untitled");
        assert_eq!(safe_stem("。。"), "。。");
    }

    #[test]
    fn long_names_are_cut_on_a_character_boundary() {
        let stem = safe_stem(&"é".repeat(300));
        assert!(stem.len() <= MAX_STEM_BYTES);
        assert_eq!(stem, "é".repeat(100));
        let stem = safe_stem(&format!("a{}", "€".repeat(100)));
        assert!(stem.len() <= MAX_STEM_BYTES && stem.is_char_boundary(stem.len()));
    }

    #[test]
    fn claims_are_unique_ignoring_case() {
        let mut names = NameSet::new();
        assert_eq!(names.claim("Mix", ".csv"), "Mix.csv");
        assert_eq!(names.claim("mix", ".csv"), "mix (2).csv");
        assert_eq!(names.claim("Mix", ".csv"), "Mix (3).csv");
        names.reserve("all.csv");
        assert_eq!(names.claim("ALL", ".csv"), "ALL (2).csv");
    }
}
