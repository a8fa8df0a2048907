//! [`DataError`]: every failure of the data layer names the file, the place in it (line for CSV,
//! row for Parquet), the column, what was expected and what was found.

use std::fmt;
use std::path::PathBuf;

/// A place inside a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// 1-based line of a CSV file (the header is line 1).
    Line(usize),
    /// 0-based row of a Parquet file.
    Row(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// Errors of the data layer (loading, checking, importing, writing).
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or decoded at all.
    #[error("{path}: cannot read: {message}", path = .path.display())]
    Read { path: PathBuf, message: String },
    /// The file has no data rows.
    #[error("{path}: expected a header and at least one data row, found {found}", path = .path.display())]
    Empty { path: PathBuf, found: String },
    /// A required column is absent.
    #[error("{path}: line 1 (header): expected a column {expected}, found columns [{found}]", path = .path.display())]
    MissingColumn { path: PathBuf, expected: String, found: String },
    /// A value is malformed or impossible.
    #[error("{0}")]
    Invalid(Box<InvalidValue>),
    /// A result could not be written.
    #[error("{path}: cannot write: {message}", path = .path.display())]
    Write { path: PathBuf, message: String },
    /// A request that makes no sense for the data (an option that does not fit the file).
    #[error("{path}: {message}", path = .path.display())]
    Usage { path: PathBuf, message: String },
}

/// The details of [`DataError::Invalid`] (boxed: errors stay small on the happy path).
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidValue {
    pub path: PathBuf,
    pub location: Location,
    pub column: String,
    pub expected: String,
    pub found: String,
    /// " (and N more errors: run `ironhedge data check FILE`)" or empty.
    pub more: String,
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: column `{}`: expected {}, found {}{}",
            self.path.display(),
            self.location,
            self.column,
            self.expected,
            self.found,
            self.more
        )
    }
}
