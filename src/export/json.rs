//! The whole library with every identifier, as `library.json` (schema version 1, documented
//! in docs/library-json.md): the one export nothing is left out of.

use crate::model::Library;

pub const FILE_STEM: &str = "library";

pub fn render(library: &Library) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(library).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
