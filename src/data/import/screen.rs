//! The import's last step: the converted table is written to a hidden file beside the output, in
//! the output's own format, and checked exactly as `data check` and the loaders will read it.
//! Only a file the loaders accept is renamed into place, so an import never leaves a file the
//! loaders refuse. With `--drop-invalid` the rows with an error are dropped (and listed) and the
//! rest checked again; without it such an import fails with the first error and writes nothing.

use super::super::check::{check_file, CheckReport};
use super::super::findings::{Finding, Severity};
use super::super::table::FileFormat;
use super::super::{DataError, Location, OutColumn, OutTable};
use std::path::{Path, PathBuf};

/// A row an import dropped: where it sits in the output as first converted (a CSV line, the
/// header being line 1, or a Parquet row), its first cell (the date or time) and the error.
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedRow {
    pub location: Location,
    pub key: String,
    pub reason: String,
}

/// Drops can uncover errors only beside the rows dropped (an order or duplicate check against a
/// new neighbour), so a few passes settle any file.
const MAX_PASSES: usize = 4;

/// Write `table` to `output` once the loaders accept it; drop the rows with errors first when
/// `drop_invalid`, else fail with the first error. Returns the rows dropped (in output order) and
/// the check of the file written.
pub(super) fn write_checked(
    mut table: OutTable,
    input: &Path,
    output: &Path,
    drop_invalid: bool,
) -> Result<(Vec<DroppedRow>, CheckReport), DataError> {
    let probe = probe_path(output);
    let result = (|| {
        let mut dropped = Vec::new();
        // Each remaining row's index in the table as first converted.
        let mut origin: Vec<usize> = (0..table.height()).collect();
        for pass in 0..=MAX_PASSES {
            table.write(&probe)?;
            if !drop_invalid {
                table = OutTable::default(); // nothing will be dropped: free it before the check
            }
            let report = check_file(&probe, None).map_err(|e| rename_path(e, &probe, output))?;
            let errors: Vec<&Finding> =
                report.findings.items().iter().filter(|f| f.severity == Severity::Error).collect();
            if errors.is_empty() {
                std::fs::rename(&probe, output)
                    .map_err(|e| DataError::Write { path: output.to_path_buf(), message: e.to_string() })?;
                return Ok((dropped, CheckReport { path: output.to_path_buf(), ..report }));
            }
            let rows: Vec<(usize, &Finding)> =
                errors.iter().filter_map(|f| row_of(f).map(|r| (r, *f))).collect();
            if !drop_invalid || rows.len() < errors.len() || pass == MAX_PASSES {
                return Err(refusal(input, output, &errors, drop_invalid));
            }
            let mut keep = vec![true; table.height()];
            for (row, f) in rows {
                if std::mem::replace(&mut keep[row], false) {
                    let reason =
                        format!("{}: `{}`: expected {}, found {}", f.category, f.column, f.expected, f.found);
                    let location = match FileFormat::of(output) {
                        FileFormat::Csv => Location::Line(origin[row] + 2),
                        FileFormat::Parquet => Location::Row(origin[row]),
                    };
                    dropped.push(DroppedRow { location, key: first_cell(&table, row), reason });
                }
            }
            table = retain_rows(&table, &keep);
            origin = origin.into_iter().zip(&keep).filter(|(_, k)| **k).map(|(o, _)| o).collect();
            if table.height() == 0 {
                return Err(DataError::Empty {
                    path: output.to_path_buf(),
                    found: format!("no rows left after dropping {} invalid rows", dropped.len()),
                });
            }
        }
        unreachable!("the last pass returns")
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&probe);
    }
    result
}

/// A hidden file beside `output` whose name keeps the output's (which `data check` reads to tell
/// funding from bars) and its extension (the format).
fn probe_path(output: &Path) -> PathBuf {
    let name = output.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let ext = output.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    let dir = output.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    dir.join(format!(".{name}.import-check-{}{ext}", std::process::id()))
}

/// An error about the probe file, told about the output instead.
fn rename_path(e: DataError, probe: &Path, output: &Path) -> DataError {
    let text = e.to_string().replace(&probe.display().to_string(), &output.display().to_string());
    DataError::Usage {
        path: output.to_path_buf(),
        message: format!("the converted data is unusable: {text}"),
    }
}

/// The 0-based data row of a finding.
fn row_of(f: &Finding) -> Option<usize> {
    match f.location {
        Some(Location::Line(n)) if n >= 2 => Some(n - 2),
        Some(Location::Row(n)) => Some(n),
        _ => None,
    }
}

fn refusal(input: &Path, output: &Path, errors: &[&Finding], drop_invalid: bool) -> DataError {
    let first = errors[0];
    let place = first.location.map_or("the file".to_string(), |l| format!("{l} of the converted data"));
    let hint = if drop_invalid {
        "these errors are not confined to rows, so --drop-invalid cannot remove them"
    } else {
        "`--drop-invalid` drops the rows with errors and lists them"
    };
    DataError::Usage {
        path: input.to_path_buf(),
        message: format!(
            "not written to {}: the converted data holds {} error{} the loaders would refuse, the first at {place}: {}: `{}`: expected {}, found {}; {hint}",
            output.display(),
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
                OutColumn::Labels { codes, labels } => {
                    OutColumn::Labels { codes: pick(codes, keep), labels: labels.clone() }
                }
            };
            (name.clone(), c)
        })
        .collect();
    OutTable { columns }
}
