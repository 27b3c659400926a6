//! `trackvault export [SNAPSHOT] [--format a,b] [--out DIR] [--split N] [--mapping F]
//! [--local-library DIR [--path-style relative|absolute]]`: write a snapshot's library in
//! importer-ready formats; with `--local-library` the m3u8 playlists point at the user's own
//! files, indexed with the archive's tag cache.

use super::{emit, Out};
use crate::archive::Archive;
use crate::cli::ExportArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::export::{export_library_to, validate, validate_local, ExportOptions, LocalTarget};
use crate::local_library::{self, PathStyle, Resolver};

pub fn run(settings: &Settings, args: &ExportArgs, out: Out<'_>) -> Result<()> {
    let opts = ExportOptions {
        formats: args.format.clone(),
        split: args.split,
        extra_mappings: args.mapping.clone(),
    };
    // Bad format names or mapping files are reported before touching the archive.
    validate(&opts)?;
    if args.local_library.is_some() {
        validate_local(&opts)?;
    }
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
    let local = match &args.local_library {
        Some(dir) => {
            let cache = archive.root().join(local_library::CACHE_FILE);
            let index = local_library::index(dir, &cache)?;
            Some(LocalTarget {
                resolver: Resolver::new(index),
                style: if args.path_style == "absolute" {
                    PathStyle::Absolute
                } else {
                    PathStyle::Relative
                },
            })
        }
        None => None,
    };
    let summary = export_library_to(&library, &opts, &out_dir, local.as_ref())?;
    emit(out, &format!("Exported snapshot {id}.\n{summary}"))
}
