//! Plain text for Soundiiz "plain text" and TuneMyMusic "free text" imports: one
//! `Artist - Title` per line, UTF-8, no header, no numbering. Only songs: episodes and
//! unavailable rows cannot be matched by those importers and are left out.

use super::collections::Collection;
use super::summary::LeftOut;
use crate::model::EntryKind;

/// Renders one collection; returns the bytes and the number of lines written.
pub fn render(collection: &Collection<'_>, left_out: &mut LeftOut) -> (Vec<u8>, usize) {
    let mut text = String::with_capacity(48 * collection.rows.len());
    let mut written = 0;
    for row in &collection.rows {
        if !matches!(row.kind, EntryKind::Track | EntryKind::Local) || row.item.is_none() {
            left_out.add_kind(row.kind);
            continue;
        }
        text.push_str(&row.display_line());
        text.push('\n');
        written += 1;
    }
    (text.into_bytes(), written)
}
