//! Pretty JSON for the export files with no raw control character in it. serde_json already
//! escapes U+0000–U+001F; this formatter also writes DEL, the C1 controls (U+007F–U+009F)
//! and the line/paragraph separators U+2028/U+2029 as `\uXXXX` escapes, so a hostile name can never put a raw control character into a `.json`
//! or `.jspf` file while the value read back stays exactly the same.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

/// Serializes `value` as pretty JSON (two-space indent, like `serde_json::to_writer_pretty`).
pub fn to_writer_pretty<W: Write + ?Sized, T: Serialize + ?Sized>(
    writer: &mut W,
    value: &T,
) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(writer, NoRawControls::default());
    value.serialize(&mut ser).map_err(io::Error::from)
}

#[derive(Default)]
struct NoRawControls {
    pretty: PrettyFormatter<'static>,
}

/// DEL and C1, plus the line and paragraph separators some readers break lines on.
fn needs_escape(c: char) -> bool {
    ('\u{7f}'..='\u{9f}').contains(&c) || matches!(c, '\u{2028}' | '\u{2029}')
}

impl Formatter for NoRawControls {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| needs_escape(c)) {
            writer.write_all(&rest.as_bytes()[..at])?;
            write!(writer, "\\u{:04x}", c as u32)?;
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn del_and_c1_are_escaped_and_read_back_unchanged() {
        let value = serde_json::json!({"name": "a\u{7f}b\u{85}c\u{9b}[2J\u{1b}d\ne"});
        let mut out = Vec::new();
        to_writer_pretty(&mut out, &value).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(
            !text.contains(|c: char| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(
            text.contains("\\u007f") && text.contains("\\u0085"),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, value);
        // Same layout as serde_json's own pretty printer for ordinary text.
        let plain = serde_json::json!({"a": [1, {"b": "c"}], "d": {}});
        let mut ours = Vec::new();
        to_writer_pretty(&mut ours, &plain).unwrap();
        assert_eq!(ours, serde_json::to_vec_pretty(&plain).unwrap());
    }
}
