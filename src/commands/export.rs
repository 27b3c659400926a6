//! `trackvault export [SNAPSHOT] [--format a,b] [--out DIR] [--split N] [--mapping F]`:
//! write a snapshot's library in importer-ready formats.

use super::{emit, Out};
use crate::archive::Archive;
use crate::cli::ExportArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::export::{export_library, validate, ExportOptions};

pub fn run(settings: &Settings, args: &ExportArgs, out: Out<'_>) -> Result<()> {
    let opts = ExportOptions {
        formats: args.format.clone(),
        split: args.split,
        extra_mappings: args.mapping.clone(),
    };
    // Bad format names or mapping files are reported before touching the archive.
    validate(&opts)?;
    let archive = Archive::open(&settings.archive_root)?;
    // Exporting into the archive (the default) changes it: take the lock and repair what an
    // interrupted export left there. Exporting elsewhere only reads it.
    let into_archive = args.out.as_ref().is_none_or(|out| {
        let out = out.canonicalize().unwrap_or_else(|_| out.clone());
        let root = archive.root().canonicalize();
        root.is_ok_and(|root| out.starts_with(root))
    });
    let _lock = if into_archive {
        let lock = archive.lock("export")?;
        super::tidy::repair_exports(&archive);
        Some(lock)
    } else {
        None
    };
    let id = archive.resolve(args.snapshot.as_deref())?;
    let library = archive.read_library(&id)?;
    let out_dir = args.out.clone().unwrap_or_else(|| archive.exports_dir(&id));
    if !into_archive {
        crate::export::recover::repair(&out_dir);
    }
    let summary = export_library(&library, &opts, &out_dir)?;
    emit(out, &format!("Exported snapshot {id}.\n{summary}"))
}
