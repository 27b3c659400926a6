//! Escaping for text in the HTML pages trackvault writes (the report, the login callback page).
//! Every name in a library came from outside (playlist titles are typed by strangers), so nothing
//! is written into a page unescaped.

/// Text content and attribute values: `&`, `<`, `>`, `"` and `'` become entities, and control
/// characters (other than tab and newline) are dropped, since HTML cannot show them anyway.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    push_escaped(&mut out, text);
    out
}

/// [`escape`], appended to `out` (the page is built in one buffer).
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// JSON placed inside `<script type="application/json">`: the characters that could end the
/// element or start a comment (`<`, `>`, `&`) and the two line separators JavaScript once
/// treated as newlines are written as `\u` escapes, which JSON.parse reads back unchanged.
pub fn json_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_drops_controls() {
        assert_eq!(
            escape("<a href=\"x\" onclick='y'>&\u{1b}[31m\u{7}ok\ttab"),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;[31mok\ttab"
        );
    }

    #[test]
    fn json_cannot_close_the_script_element() {
        let json = serde_json::to_string("</script><!-- \u{2028}").unwrap();
        let safe = json_for_script(&json);
        assert!(!safe.contains('<') && !safe.contains('\u{2028}'));
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "</script><!-- \u{2028}");
    }
}
