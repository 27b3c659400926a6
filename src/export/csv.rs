//! CSV files driven by a [`Mapping`]: one file per collection, one file for all of them, or
//! both, optionally split into parts of at most N rows.

use csv::{QuoteStyle, Terminator, WriterBuilder};

use super::collections::{Collection, Plan};
use super::fields::{render, Joining};
use super::mapping::{Files, LineEnding, Mapping, Quote};
use super::output::FormatWriter;
use super::ExportError;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes every file `mapping` describes for `plan`.
pub fn write(
    mapping: &Mapping,
    plan: &Plan<'_>,
    split: Option<usize>,
    out: &mut FormatWriter,
) -> Result<(), ExportError> {
    let split = split.or(mapping.split);
    let join = mapping.joining();
    let per_collection = matches!(mapping.files, Files::PerCollection | Files::Both);
    let one_file = matches!(mapping.files, Files::OneFile | Files::Both);
    let mut combined: Vec<Vec<String>> = Vec::new();
    let combined_stem = mapping.one_file_name.as_deref().unwrap_or(&mapping.name);

    let collections: Vec<&Collection<'_>> = plan
        .collections
        .iter()
        .filter(|c| mapping.includes(c.kind))
        .collect();
    let mut per_file: Vec<(&Collection<'_>, Vec<Vec<String>>)> = Vec::new();
    for collection in collections {
        let records = records(mapping, &join, collection, out);
        if one_file {
            combined.extend(records.iter().cloned());
        }
        if per_collection {
            per_file.push((collection, records));
        }
    }
    // The combined file is written first so that a playlist with the same name yields.
    if one_file {
        write_parts(mapping, out, "", combined_stem, &combined, split)?;
    }
    for (collection, records) in per_file {
        write_parts(
            mapping,
            out,
            collection.dir(),
            &collection.stem,
            &records,
            split,
        )?;
    }
    Ok(())
}

/// The rows of one collection as cells; rows of kinds the mapping excludes are counted.
fn records(
    mapping: &Mapping,
    join: &Joining,
    collection: &Collection<'_>,
    out: &mut FormatWriter,
) -> Vec<Vec<String>> {
    collection
        .rows
        .iter()
        .filter(|row| {
            let keep = mapping.rows.contains(&row.kind) && row.item.is_some();
            if !keep {
                out.left_out.add_kind(row.kind);
            }
            keep
        })
        .map(|row| {
            mapping
                .columns
                .iter()
                .map(|c| render(c.field, row, collection, join))
                .collect()
        })
        .collect()
}

/// Writes `records` as one file, or as `<stem> (part i of n)` files of at most `split` rows.
fn write_parts(
    mapping: &Mapping,
    out: &mut FormatWriter,
    dir: &str,
    stem: &str,
    records: &[Vec<String>],
    split: Option<usize>,
) -> Result<(), ExportError> {
    match split {
        Some(n) if n > 0 && records.len() > n => {
            let parts = records.len().div_ceil(n);
            for (i, chunk) in records.chunks(n).enumerate() {
                let part_stem = format!("{stem} (part {} of {parts})", i + 1);
                out.write(
                    dir,
                    &part_stem,
                    ".csv",
                    &records_to_bytes(mapping, chunk),
                    chunk.len(),
                )?;
            }
            Ok(())
        }
        _ => out.write(
            dir,
            stem,
            ".csv",
            &records_to_bytes(mapping, records),
            records.len(),
        ),
    }
}

/// Serializes a header (if the mapping has one) and `records` in the mapping's dialect.
pub fn records_to_bytes(mapping: &Mapping, records: &[Vec<String>]) -> Vec<u8> {
    let mut buffer = Vec::with_capacity(64 * (records.len() + 1));
    if mapping.bom {
        buffer.extend_from_slice(UTF8_BOM);
    }
    let mut writer = WriterBuilder::new()
        .quote_style(match mapping.quote {
            Quote::Always => QuoteStyle::Always,
            Quote::Necessary => QuoteStyle::Necessary,
        })
        .terminator(match mapping.line_ending {
            LineEnding::Lf => Terminator::Any(b'\n'),
            LineEnding::Crlf => Terminator::CRLF,
        })
        .from_writer(buffer);
    // Writing to a Vec cannot fail; csv only reports I/O errors.
    if mapping.header {
        let _ = writer.write_record(mapping.columns.iter().map(|c| c.header.as_str()));
    }
    for record in records {
        let _ = writer.write_record(record);
    }
    writer.into_inner().unwrap_or_default()
}
