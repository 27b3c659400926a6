//! A small reader for the DOM Chromium serializes with `--dump-dom`, so tests can ask for
//! elements by id, tag, class and attribute instead of searching strings. It relies on what the
//! serializer guarantees — every non-void element closed explicitly, attribute values in double
//! quotes, `<` escaped in text — and reads `<script>`/`<style>` content as raw text. It is not a
//! general HTML parser and does not try to be.

#![allow(dead_code)]

#[derive(Debug, Clone, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    /// Content kept as raw text (script, style, and noscript with scripting on).
    pub raw: bool,
}

#[derive(Debug, Clone)]
pub enum Node {
    Element(Element),
    Text(String),
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Parses a document Chromium serialized with scripting on (the default): `<noscript>`
/// content is raw text there, as in the browser's DOM.
pub fn parse(html: &str) -> Element {
    parse_with(html, true)
}

/// Parses a serialized document into a root element named `#document`. With `scripting` off
/// (JavaScript disabled) `<noscript>` content is markup, as the browser parsed it.
pub fn parse_with(html: &str, scripting: bool) -> Element {
    let mut stack = vec![Element {
        name: "#document".into(),
        ..Element::default()
    }];
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
        } else if rest.starts_with("<!") {
            rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').unwrap_or(after.len());
            let name = after[..end].trim().to_ascii_lowercase();
            rest = after.get(end + 1..).unwrap_or("");
            // Close up to the matching open element (tolerates stray end tags).
            if let Some(at) = stack.iter().rposition(|e| e.name == name) {
                if at > 0 {
                    while stack.len() > at {
                        let done = stack.pop().unwrap();
                        stack.last_mut().unwrap().children.push(Node::Element(done));
                    }
                }
            }
        } else if rest.starts_with('<') && rest[1..].starts_with(|c: char| c.is_ascii_alphabetic())
        {
            let (element, self_closing, after) = start_tag(&rest[1..]);
            rest = after;
            let name = element.name.clone();
            if self_closing || VOID.contains(&name.as_str()) {
                stack
                    .last_mut()
                    .unwrap()
                    .children
                    .push(Node::Element(element));
            } else if name == "script"
                || name == "style"
                || name == "textarea"
                || name == "title"
                || (scripting && name == "noscript")
            {
                let close = format!("</{name}");
                let end = find_ci(rest, &close).unwrap_or(rest.len());
                let mut element = element;
                element.raw = name != "textarea" && name != "title";
                let raw = &rest[..end];
                let text = if name == "textarea" || name == "title" {
                    decode(raw)
                } else {
                    raw.to_string()
                };
                element.children.push(Node::Text(text));
                rest = &rest[end..];
                rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
                stack
                    .last_mut()
                    .unwrap()
                    .children
                    .push(Node::Element(element));
            } else {
                stack.push(element);
            }
        } else {
            let first = rest.chars().next().map_or(1, char::len_utf8);
            let end = rest[first..].find('<').map_or(rest.len(), |e| e + first);
            stack
                .last_mut()
                .unwrap()
                .children
                .push(Node::Text(decode(&rest[..end])));
            rest = &rest[end..];
        }
    }
    while stack.len() > 1 {
        let done = stack.pop().unwrap();
        stack.last_mut().unwrap().children.push(Node::Element(done));
    }
    stack.pop().unwrap()
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .to_ascii_lowercase()
        .find(&needle.to_ascii_lowercase())
}

/// Reads `name attr="v" attr2 …>` (after the `<`); returns the element, whether it ended in
/// `/>`, and the rest of the input.
fn start_tag(input: &str) -> (Element, bool, &str) {
    let name_end = input
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(input.len());
    let mut element = Element {
        name: input[..name_end].to_ascii_lowercase(),
        ..Element::default()
    };
    let mut rest = &input[name_end..];
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("/>") {
            return (element, true, after);
        }
        if let Some(after) = rest.strip_prefix('>') {
            return (element, false, after);
        }
        if let Some(after) = rest.strip_prefix('/') {
            rest = after;
            continue;
        }
        if rest.is_empty() {
            return (element, false, rest);
        }
        let key_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        rest = rest[key_end..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            if let Some(quoted) = after.strip_prefix('"') {
                let end = quoted.find('"').unwrap_or(quoted.len());
                rest = quoted.get(end + 1..).unwrap_or("");
                decode(&quoted[..end])
            } else if let Some(quoted) = after.strip_prefix('\'') {
                let end = quoted.find('\'').unwrap_or(quoted.len());
                rest = quoted.get(end + 1..).unwrap_or("");
                decode(&quoted[..end])
            } else {
                let end = after
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(after.len());
                rest = &after[end..];
                decode(&after[..end])
            }
        } else {
            String::new()
        };
        element.attrs.push((key, value));
    }
}

/// Decodes the character references the serializer writes (and numeric ones).
pub fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let replaced = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, end))
        });
        match replaced {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl Element {
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn has_attr(&self, key: &str) -> bool {
        self.attr(key).is_some()
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }

    /// Every element below this one, depth first, in document order.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        fn walk<'a>(e: &'a Element, out: &mut Vec<&'a Element>) {
            for child in &e.children {
                if let Node::Element(c) = child {
                    out.push(c);
                    walk(c, out);
                }
            }
        }
        walk(self, &mut out);
        out
    }

    pub fn find_all(&self, pred: impl Fn(&Element) -> bool) -> Vec<&Element> {
        self.descendants().into_iter().filter(|e| pred(e)).collect()
    }

    pub fn by_id(&self, id: &str) -> Option<&Element> {
        self.descendants()
            .into_iter()
            .find(|e| e.attr("id") == Some(id))
    }

    pub fn by_tag(&self, name: &str) -> Vec<&Element> {
        self.find_all(|e| e.name == name)
    }

    /// The text content (script and style text included, as in the DOM).
    pub fn text(&self) -> String {
        let mut out = String::new();
        fn walk(e: &Element, out: &mut String) {
            for child in &e.children {
                match child {
                    Node::Text(t) => out.push_str(t),
                    Node::Element(c) => walk(c, out),
                }
            }
        }
        walk(self, &mut out);
        out
    }

    /// The text a reader sees: [`Element::text`] without `<script>`, `<style>`, `<template>`
    /// and (with scripting on) `<noscript>` contents.
    pub fn visible_text(&self) -> String {
        let mut out = String::new();
        fn walk(e: &Element, out: &mut String) {
            for child in &e.children {
                match child {
                    Node::Text(t) => out.push_str(t),
                    Node::Element(c) if c.raw || c.name == "template" => {}
                    Node::Element(c) => walk(c, out),
                }
            }
        }
        walk(self, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_serializer_output() {
        let doc = parse(
            "<!DOCTYPE html><html data-x=\"1\"><head><script>if (a<b) x='</div>';</script></head>\
             <body><section id=\"r\" hidden=\"\"><table><tbody><tr class=\"row a\" data-uri=\"u&amp;1\">\
             <td class=\"title\">A &lt;b&gt; &amp; &#39;c&#39;</td></tr></tbody></table></section>\
             <img src=\"x\"><svg><path d=\"M0\"/></svg></body></html>",
        );
        let r = doc.by_id("r").unwrap();
        assert!(r.has_attr("hidden"));
        let rows = r.find_all(|e| e.has_class("row"));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].attr("data-uri"), Some("u&1"));
        assert_eq!(rows[0].text(), "A <b> & 'c'");
        assert_eq!(doc.by_tag("img").len(), 1);
        assert_eq!(doc.by_tag("path").len(), 1);
        assert!(!doc.visible_text().contains("</div>"));
    }
}
