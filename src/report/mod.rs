//! `trackvault report`: one self-contained HTML page to browse an archive — the library of one
//! snapshot, the history of every snapshot up to it, and charts — that opens from disk in any
//! browser with no network and no other file.
//!
//! Everything here is pure: it takes libraries and diffs and returns text. Reading the archive
//! and writing the file is [`crate::app::report`]'s job.

pub mod charts;
pub mod html;
