//! `trackvault report`: one self-contained HTML page to browse an archive — the library of one
//! snapshot, the history of every snapshot up to it, and charts — that opens from disk in any
//! browser with no network and no other file.
//!
//! The page is built from pure parts ([`rows`], [`timeline`], [`chart_data`], [`charts`], and
//! [`page`] with its history and library sections; escaping is [`crate::html`]);
//! [`history_scan`] reads the snapshots for the history. Writing the file is
//! [`crate::app::report`]'s job.

pub mod chart_data;
pub mod charts;
pub mod history_scan;
mod history_section;
mod library_section;
pub mod page;
pub mod rows;
pub mod timeline;
