//! [`Findings`]: what validation found in a file, by severity. Loaders turn the first error into a
//! [`DataError`]; `data check` prints them all, grouped by category.
//!
//! Severities: `Error` (the value cannot be used: the loader refuses the file), `Repair` (an
//! impossible value the loader fixes in a stated way, e.g. an open outside [low, high] clamped into
//! it), `Warning` (suspicious but usable: gaps, rows on non-trading days), `Note` (facts worth
//! knowing: close-only bars, missing optional cells).

use super::error::{DataError, InvalidValue, Location};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Repair,
    Warning,
    Note,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Repair => "repair",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// One problem or fact at one place.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    /// Short stable category, e.g. "unsorted", "high < low".
    pub category: &'static str,
    pub location: Option<Location>,
    pub column: String,
    pub expected: String,
    pub found: String,
}

/// All findings of one file, in discovery order.
#[derive(Debug, Default, Clone)]
pub struct Findings {
    items: Vec<Finding>,
}

impl Findings {
    pub fn push(&mut self, f: Finding) {
        self.items.push(f);
    }

    /// Record every finding of `other` after these.
    pub fn extend(&mut self, other: &Findings) {
        self.items.extend(other.items.iter().cloned());
    }

    /// Record a finding at data row `row` of a table-like source.
    #[allow(clippy::too_many_arguments)]
    pub fn at(
        &mut self,
        severity: Severity,
        category: &'static str,
        location: Location,
        column: &str,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) {
        self.push(Finding {
            severity,
            category,
            location: Some(location),
            column: column.to_string(),
            expected: expected.into(),
            found: found.into(),
        });
    }

    /// Record a warning that belongs to no single row (a gap, an outlier among many rows).
    pub fn warn(&mut self, category: &'static str, expected: String, found: String) {
        self.push(Finding {
            severity: Severity::Warning,
            category,
            location: None,
            column: String::new(),
            expected,
            found,
        });
    }

    pub fn items(&self) -> &[Finding] {
        &self.items
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|f| f.severity == severity).count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// `Err` with the first error (and how many more there are) when there is any error.
    pub fn into_result(self, path: &Path) -> Result<Vec<Finding>, DataError> {
        let errors = self.count(Severity::Error);
        match self.items.iter().find(|f| f.severity == Severity::Error) {
            None => Ok(self.items),
            Some(first) => Err(DataError::Invalid(Box::new(InvalidValue {
                path: path.to_path_buf(),
                location: first.location.unwrap_or(Location::Line(1)),
                column: first.column.clone(),
                expected: first.expected.clone(),
                found: first.found.clone(),
                more: if errors > 1 {
                    format!(
                        " (and {} more errors: run `ironhedge data check {}`)",
                        errors - 1,
                        path.display()
                    )
                } else {
                    String::new()
                },
            }))),
        }
    }

    /// A readable report: per severity and category, a count and the first `examples` places.
    pub fn report(&self, examples: usize) -> String {
        let mut groups: BTreeMap<(Severity, &'static str), Vec<&Finding>> = BTreeMap::new();
        for f in &self.items {
            groups.entry((f.severity, f.category)).or_default().push(f);
        }
        let mut out = String::new();
        for ((sev, cat), list) in &groups {
            let _ = writeln!(out, "  {:<7} {cat}: {}", sev.label(), list.len());
            for f in list.iter().take(examples) {
                let place = f.location.map(|l| format!("{l}: ")).unwrap_or_default();
                let col = if f.column.is_empty() { String::new() } else { format!("`{}`: ", f.column) };
                let _ = writeln!(out, "            {place}{col}expected {}, found {}", f.expected, f.found);
            }
            if list.len() > examples {
                let _ = writeln!(out, "            ... {} more", list.len() - examples);
            }
        }
        out
    }
}

/// Read `path`, run `analyse` over it and fail with the first error found. Returns the value and
/// the remaining (non-error) findings: repairs, warnings, notes.
pub fn load_with<T>(
    path: &Path,
    analyse: impl FnOnce(&super::table::Table, &mut Findings) -> Result<T, DataError>,
) -> Result<(T, Vec<Finding>), DataError> {
    analyse_with(&super::table::Table::read(path)?, path, analyse)
}

/// Run `analyse` over `table`, read from `path`, and fail with the first error found (see
/// [`load_with`]): for a table that several analyses share.
pub fn analyse_with<T>(
    table: &super::table::Table,
    path: &Path,
    analyse: impl FnOnce(&super::table::Table, &mut Findings) -> Result<T, DataError>,
) -> Result<(T, Vec<Finding>), DataError> {
    let mut out = Findings::default();
    let value = analyse(table, &mut out)?;
    Ok((value, out.into_result(path)?))
}
