//! CSV files driven by a [`Mapping`]: one file per collection, one file for all of them, or
//! both, optionally split into parts of at most N rows.

use csv::{QuoteStyle, Terminator, WriterBuilder};

use super::collections::{one_line, Collection, Plan};
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
    let collections: Vec<&Collection<'_>> = plan
        .collections
        .iter()
        .filter(|c| mapping.includes(c.kind))
        .collect();
    // The combined file's names are claimed first, so a playlist with the same name yields.
    let combined_names = if one_file {
        let stem = mapping.one_file_name.as_deref().unwrap_or(&mapping.name);
        let rows = collections
            .iter()
            .flat_map(|c| &c.rows)
            .filter(|r| mapping.rows.contains(&r.kind) && r.item.is_some())
            .count();
        part_stems(stem, rows, split)
            .into_iter()
            .map(|s| out.claim("", &s, ".csv"))
            .collect()
    } else {
        Vec::new()
    };
    let mut combined: Vec<Vec<String>> = Vec::new();
    for collection in collections {
        let records = records(mapping, &join, collection, out);
        if per_collection {
            let stems = part_stems(&collection.stem, records.len(), split);
            let dir = collection.dir();
            for (stem, chunk) in stems.iter().zip(chunks(&records, split)) {
                out.write(
                    dir,
                    stem,
                    ".csv",
                    &records_to_bytes(mapping, chunk),
                    chunk.len(),
                )?;
            }
        }
        if one_file {
            combined.extend(records);
        }
    }
    for (name, chunk) in combined_names.iter().zip(chunks(&combined, split)) {
        let bytes = records_to_bytes(mapping, chunk);
        out.write_claimed("", name, chunk.len(), |w| w.write_all(&bytes))?;
    }
    Ok(())
}

/// File stems for `rows` rows: just `stem`, or `<stem> (part i of n)` when split.
fn part_stems(stem: &str, rows: usize, split: Option<usize>) -> Vec<String> {
    match split {
        Some(n) if n > 0 && rows > n => {
            let parts = rows.div_ceil(n);
            (1..=parts)
                .map(|i| format!("{stem} (part {i} of {parts})"))
                .collect()
        }
        _ => vec![stem.to_string()],
    }
}

/// The records of each part, matching [`part_stems`] (one empty part for no rows).
fn chunks(records: &[Vec<String>], split: Option<usize>) -> Vec<&[Vec<String>]> {
    match split {
        Some(n) if n > 0 && records.len() > n => records.chunks(n).collect(),
        _ => vec![records],
    }
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
                .map(|c| cell(mapping, render(c.field, row, collection, join)))
                .collect()
        })
        .collect()
}

/// One cell as written: never a raw control character (line breaks and tabs become spaces,
/// see [`one_line`]), and with the mapping's `formula_guard` a leading `'` on text a
/// spreadsheet would run as a formula.
fn cell(mapping: &Mapping, value: String) -> String {
    let value = if value.contains(|c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        one_line(&value)
    } else {
        value
    };
    if mapping.formula_guard && starts_like_formula(&value) {
        format!("'{value}")
    } else {
        value
    }
}

/// Cells spreadsheets (Excel, LibreOffice, Google Sheets) treat as formulas or commands.
pub fn starts_like_formula(value: &str) -> bool {
    value.starts_with(['=', '+', '-', '@', '\t', '\r'])
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
