//! The import's last step before writing: the converted table is checked exactly as the loaders
//! will check the written file, so an import never writes a file the loaders refuse. With
//! `--drop-invalid` the rows with an error are dropped (and listed); without it such an import
//! fails with the first error and writes nothing.

use super::super::check::check_file;
use super::super::findings::{Finding, Severity};
use super::super::{DataError, Location, OutColumn, OutTable};
use std::path::{Path, PathBuf};

/// A row an import dropped: its line in the canonical output as converted (the header is line
/// 1), its first cell (the date or time) and the error that dropped it.
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedRow {
    pub line: usize,
    pub key: String,
    pub reason: String,
}

/// Drops can uncover errors only beside the rows dropped (an order or duplicate check against a
/// new neighbour), so a few passes settle any file.
const MAX_PASSES: usize = 4;

/// Check `table` as the loaders would read it from `output`; drop the rows with errors when
/// `drop_invalid`, else fail with the first error. Returns the table to write and the rows
/// dropped (in output order).
pub(super) fn screen(
    mut table: OutTable,
    output: &Path,
    drop_invalid: bool,
) -> Result<(OutTable, Vec<DroppedRow>), DataError> {
    let mut dropped = Vec::new();
    // Line numbers of the rows still in the table, as first converted.
    let mut lines: Vec<usize> = (0..table.height()).map(|r| r + 2).collect();
    for _ in 0..MAX_PASSES {
        let errors = errors_of(&table, output)?;
        if errors.is_empty() {
            return Ok((table, dropped));
        }
        let rows: Vec<(usize, &Finding)> = errors.iter().filter_map(|f| row_of(f).map(|r| (r, f))).collect();
        if !drop_invalid || rows.len() < errors.len() {
            return Err(refusal(output, &errors, drop_invalid));
        }
        let mut keep = vec![true; table.height()];
        for (row, f) in rows {
            if std::mem::replace(&mut keep[row], false) {
                let reason =
                    format!("{}: `{}`: expected {}, found {}", f.category, f.column, f.expected, f.found);
                dropped.push(DroppedRow { line: lines[row], key: first_cell(&table, row), reason });
            }
        }
        table = retain_rows(&table, &keep);
        lines = lines.into_iter().zip(&keep).filter(|(_, k)| **k).map(|(l, _)| l).collect();
        if table.height() == 0 {
            return Err(DataError::Empty {
                path: output.to_path_buf(),
                found: format!("no rows left after dropping {} invalid rows", dropped.len()),
            });
        }
    }
    let errors = errors_of(&table, output)?;
    if errors.is_empty() {
        Ok((table, dropped))
    } else {
        Err(refusal(output, &errors, drop_invalid))
    }
}

/// The errors `data check` finds in `table` written as CSV beside `output` (a hidden file whose
/// name keeps the output's, which `data check` reads to tell funding from bars; removed after).
fn errors_of(table: &OutTable, output: &Path) -> Result<Vec<Finding>, DataError> {
    let name = output.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let dir = output.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let probe: PathBuf = dir.join(format!(".{name}.import-check-{}.csv", std::process::id()));
    std::fs::write(&probe, table.to_csv())
        .map_err(|e| DataError::Write { path: probe.clone(), message: e.to_string() })?;
    let report = check_file(&probe, None);
    let _ = std::fs::remove_file(&probe);
    let report = report.map_err(|e| rename_path(e, &probe, output))?;
    Ok(report.findings.items().iter().filter(|f| f.severity == Severity::Error).cloned().collect())
}

/// An error about the probe file, told about the output instead.
fn rename_path(e: DataError, probe: &Path, output: &Path) -> DataError {
    let text = e.to_string().replace(&probe.display().to_string(), &output.display().to_string());
    DataError::Usage {
        path: output.to_path_buf(),
        message: format!("the converted data is unusable: {text}"),
    }
}

/// The 0-based data row of a CSV finding.
fn row_of(f: &Finding) -> Option<usize> {
    match f.location {
        Some(Location::Line(n)) if n >= 2 => Some(n - 2),
        _ => None,
    }
}

fn refusal(output: &Path, errors: &[Finding], drop_invalid: bool) -> DataError {
    let first = &errors[0];
    let place = first.location.map_or("the file".to_string(), |l| l.to_string());
    let hint = if drop_invalid {
        "these errors are not confined to rows, so --drop-invalid cannot remove them"
    } else {
        "`--drop-invalid` drops the rows with errors and lists them"
    };
    DataError::Usage {
        path: output.to_path_buf(),
        message: format!(
            "not written: the converted data holds {} error{} the loaders would refuse, the first at {place}: {}: `{}`: expected {}, found {}; {hint}",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            first.category,
            first.column,
            first.expected,
            first.found,
        ),
    }
}

fn first_cell(table: &OutTable, row: usize) -> String {
    let mut text = String::new();
    if let Some((_, c)) = table.columns.first() {
        c.cell(row, &mut text);
    }
    text
}

fn retain_rows(table: &OutTable, keep: &[bool]) -> OutTable {
    fn pick<T: Clone>(v: &[T], keep: &[bool]) -> Vec<T> {
        v.iter().zip(keep).filter(|(_, k)| **k).map(|(x, _)| x.clone()).collect()
    }
    let columns = table
        .columns
        .iter()
        .map(|(name, c)| {
            let c = match c {
                OutColumn::Date(v) => OutColumn::Date(pick(v, keep)),
                OutColumn::Time(v) => OutColumn::Time(pick(v, keep)),
                OutColumn::Float(v) => OutColumn::Float(pick(v, keep)),
                OutColumn::Text(v) => OutColumn::Text(pick(v, keep)),
            };
            (name.clone(), c)
        })
        .collect();
    OutTable { columns }
}
