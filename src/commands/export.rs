//! `trackvault export [SNAPSHOT] [--format a,b] [--out DIR] [--split N] [--mapping F]
//! [--local-library DIR [--path-style relative|absolute]]`: write a snapshot's library in
//! importer-ready formats; with `--local-library` the m3u8 playlists point at the user's own
//! files, indexed with the archive's tag cache.

use super::{emit, Out};
use crate::app::export::export_snapshot;
use crate::cli::ExportArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::export::ExportOptions;
use crate::local_library::PathStyle;

pub fn run(settings: &Settings, args: &ExportArgs, out: Out<'_>) -> Result<()> {
    let opts = ExportOptions {
        formats: args.format.clone(),
        split: args.split,
        extra_mappings: args.mapping.clone(),
    };
    let style = if args.path_style == "absolute" {
        PathStyle::Absolute
    } else {
        PathStyle::Relative
    };
    let (id, summary) = export_snapshot(
        &settings.archive_root,
        args.snapshot.as_deref(),
        &opts,
        args.out.as_deref(),
        args.local_library.as_deref().map(|dir| (dir, style)),
    )?;
    emit(out, &format!("Exported snapshot {id}.\n{summary}"))
}
