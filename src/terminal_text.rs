//! Text from outside (zip entry and file names, playlist and owner names, values quoted in
//! error messages) made safe to print on a terminal. A raw ESC starts an escape sequence that
//! can rewrite the screen, retitle the window or fake earlier output; CR and line breaks can
//! forge whole lines; bidi overrides reorder what the reader sees. [`sanitize_for_terminal`] is
//! for one outside value inside a message: every such character becomes a visible escape
//! (`\e`, `\n`, `\u{202e}`). [`for_terminal_output`] is the last guard on whole messages
//! (everything commands print and every error): it keeps the message's own line breaks and
//! tabs but neutralises everything else, so a value that slipped through still cannot drive
//! the terminal.

use std::borrow::Cow;

/// Bidirectional embeddings, overrides and isolates, which reorder displayed text (Trojan
/// Source). The plain direction marks (LRM, RLM, ALM) only nudge neutral characters, appear in
/// real right-to-left names and are kept.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that must never reach a terminal raw from an outside value.
fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// One outside value, fit to print inside a message on one line: control characters (C0,
/// DEL, C1), line and paragraph separators and bidi controls are shown as visible escapes.
pub fn sanitize_for_terminal(text: &str) -> Cow<'_, str> {
    if !text.contains(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{1b}' => out.push_str("\\e"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A whole message about to be printed: its line breaks and tabs stay, every other control
/// character and bidi control becomes U+FFFD, so nothing in it can act on the terminal.
pub fn for_terminal_output(text: &str) -> Cow<'_, str> {
    let unsafe_here = |c: char| !matches!(c, '\n' | '\t') && is_unsafe(c);
    if !text.contains(unsafe_here) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if unsafe_here(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_values_become_visible_escapes() {
        assert_eq!(sanitize_for_terminal("Road Trip 🎵"), "Road Trip 🎵");
        assert_eq!(sanitize_for_terminal("שלום\u{200f} 1"), "שלום\u{200f} 1");
        assert_eq!(
            sanitize_for_terminal("a\u{1b}[2Jb\r\nc\u{9b}d\u{202e}e\u{7f}"),
            "a\\e[2Jb\\r\\nc\\u{9b}d\\u{202e}e\\u{7f}"
        );
    }

    #[test]
    fn whole_messages_keep_their_lines_but_lose_escapes() {
        let text = "line one\n\tline two \u{1b}]0;pwned\u{7}\r\u{2066}x";
        let out = for_terminal_output(text);
        assert!(out.starts_with("line one\n\tline two "), "{out:?}");
        assert!(
            !out.contains(['\u{1b}', '\u{7}', '\r', '\u{2066}']),
            "{out:?}"
        );
    }
}
