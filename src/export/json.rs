//! The whole library with every identifier, as `library.json` (schema version 1, documented
//! in docs/library-json.md): the one export nothing is left out of.

use crate::model::Library;

pub const FILE_STEM: &str = "library";

/// Streams the library as pretty JSON, with no raw control character (a 100,000-entry library is ~100 MB of text; it is never
/// held in memory whole).
pub fn write(library: &Library, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    super::json_text::to_writer_pretty(&mut *w, library)?;
    w.write_all(b"\n")
}
