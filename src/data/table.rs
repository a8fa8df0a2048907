//! [`Table`]: a CSV or Parquet file read through polars, with every cell reachable as a [`Cell`]
//! and every row mapped back to its line (CSV) or row (Parquet) for error messages.
//!
//! CSV files are read with every column as text (no type inference), so that the parsers in
//! [`super::parse`] decide what a value means and can say exactly which line was wrong. A UTF-8
//! byte-order mark and surrounding blanks in header names are ignored; header names are matched
//! case-insensitively. This is the only module that touches polars for reading.

use super::error::{DataError, Location};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// File formats the loaders read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Parquet,
}

impl FileFormat {
    /// By extension: `.parquet` / `.pq` are Parquet, everything else CSV.
    pub fn of(path: &Path) -> FileFormat {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase) {
            Some(e) if e == "parquet" || e == "pq" => FileFormat::Parquet,
            _ => FileFormat::Csv,
        }
    }
}

/// One cell, borrowed from the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Null,
    Text(&'a str),
    Float(f64),
    Int(i64),
    /// Days since 1970-01-01.
    Date(i32),
    /// Nanoseconds since the epoch, UTC.
    DatetimeNs(i64),
}

/// A data file held in memory.
pub struct Table {
    path: PathBuf,
    format: FileFormat,
    df: DataFrame,
    /// Normalised (trimmed, BOM-less, lower-case) header names, in file order.
    names: Vec<String>,
    /// CSV only: the last line has fewer fields than the header (fields found, fields expected).
    short_last_line: Option<(usize, usize)>,
}

fn read_err(path: &Path, e: impl std::fmt::Display) -> DataError {
    DataError::Read { path: path.to_path_buf(), message: e.to_string() }
}

/// The largest data file read into memory, in MB: `IRONHEDGE_MAX_FILE_MB`, default 4096 (a CSV
/// parses to roughly its own size again; a sweep shares one copy).
fn max_file_mb() -> u64 {
    std::env::var("IRONHEDGE_MAX_FILE_MB").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(4096)
}

thread_local! {
    /// Set while a [`guarded`] call runs: its panics are turned into errors, not printed.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f`, turning a panic inside it into `Err(message)` (silently: the panic hook installed
/// here stays quiet for guarded calls and hands every other panic to the previous hook).
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    GUARDED.with(|g| g.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(false));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the reader panicked".into())
    })
}

fn normalise(name: &str) -> String {
    name.trim_start_matches('\u{feff}').trim().to_ascii_lowercase()
}

impl Table {
    /// Read `path` (format by extension). Empty files and header-only files are errors.
    pub fn read(path: &Path) -> Result<Table, DataError> {
        Table::read_columns(path, &|_| true)
    }

    /// [`Self::read`] keeping only the columns whose normalised name `keep` accepts (a CSV's other
    /// columns are never parsed: a vendor file's unused columns cost no memory).
    pub fn read_columns(path: &Path, keep: &dyn Fn(&str) -> bool) -> Result<Table, DataError> {
        let format = FileFormat::of(path);
        let meta = std::fs::metadata(path).map_err(|e| read_err(path, e))?;
        if meta.len() == 0 {
            return Err(DataError::Empty {
                path: path.to_path_buf(),
                found: "an empty file (0 bytes)".into(),
            });
        }
        let limit_mb = max_file_mb();
        if meta.len() > limit_mb.saturating_mul(1 << 20) {
            return Err(read_err(
                path,
                format!(
                    "the file is {} MB, larger than the {limit_mb} MB that ironhedge loads into memory: split it by date, or raise the limit with IRONHEDGE_MAX_FILE_MB",
                    meta.len().div_ceil(1 << 20)
                ),
            ));
        }
        let mut short_last_line = None;
        let df = match format {
            FileFormat::Csv => {
                let (df, short) = read_csv(path, keep)?;
                short_last_line = short;
                df
            }
            FileFormat::Parquet => {
                let bytes = std::fs::read(path).map_err(|e| read_err(path, e))?;
                // A malformed footer can make the Parquet reader allocate without bound (an abort)
                // or panic (both found by fuzzing): check its structure first, and turn a panic
                // into a bad-input error.
                super::parquet_guard::check_footer(&bytes).map_err(|e| read_err(path, e))?;
                guarded(|| ParquetReader::new(std::io::Cursor::new(bytes)).finish())
                    .map_err(|panic| read_err(path, format!("malformed Parquet metadata ({panic})")))?
                    .map_err(|e| read_err(path, e))?
            }
        };
        let names: Vec<String> = df.get_column_names().iter().map(|n| normalise(n)).collect();
        if df.height() == 0 {
            return Err(DataError::Empty {
                path: path.to_path_buf(),
                found: format!("a header [{}] and no data rows", names.join(",")),
            });
        }
        Ok(Table { path: path.to_path_buf(), format, df, names, short_last_line })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn format(&self) -> FileFormat {
        self.format
    }

    /// Number of data rows.
    pub fn height(&self) -> usize {
        self.df.height()
    }

    /// Normalised header names in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The first header matching one of `aliases` (case-insensitive), as its normalised name.
    pub fn find(&self, aliases: &[&str]) -> Option<&str> {
        aliases.iter().find_map(|a| self.names.iter().find(|n| n.as_str() == *a)).map(String::as_str)
    }

    /// Where data row `row` (0-based) sits in the file.
    pub fn location(&self, row: usize) -> Location {
        match self.format {
            FileFormat::Csv => Location::Line(row + 2),
            FileFormat::Parquet => Location::Row(row),
        }
    }

    /// How to describe an empty cell at `row`: a short last line is most likely a truncated file.
    pub fn describe_empty(&self, row: usize) -> String {
        match self.short_last_line {
            Some((found, want)) if row + 1 == self.height() => {
                format!("a short last line ({found} of {want} fields: is the file truncated?)")
            }
            _ => "an empty cell".into(),
        }
    }

    /// The error for a header that lacks every one of `aliases`.
    pub fn missing(&self, aliases: &[&str]) -> DataError {
        let expected = if aliases.len() == 1 {
            format!("`{}`", aliases[0])
        } else {
            format!(
                "named one of {}",
                aliases.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
            )
        };
        DataError::MissingColumn { path: self.path.clone(), expected, found: self.names.join(",") }
    }

    /// Call `f(row, cell)` for every row of column `name` (a normalised name from [`Self::find`]).
    pub fn visit(&self, name: &str, mut f: impl FnMut(usize, Cell<'_>)) -> Result<(), DataError> {
        let idx = self.names.iter().position(|n| n == name).ok_or_else(|| self.missing(&[name]))?;
        let series = self.df.columns()[idx].as_materialized_series();
        let err = |e: PolarsError| read_err(&self.path, format!("column `{name}`: {e}"));
        match series.dtype() {
            DataType::String => {
                for (i, v) in series.str().map_err(err)?.iter().enumerate() {
                    f(i, v.map_or(Cell::Null, Cell::Text));
                }
            }
            DataType::Float32 | DataType::Float64 => {
                let s = series.cast(&DataType::Float64).map_err(err)?;
                for (i, v) in s.f64().map_err(err)?.iter().enumerate() {
                    f(i, v.map_or(Cell::Null, Cell::Float));
                }
            }
            DataType::Date => {
                for (i, v) in series.date().map_err(err)?.physical().iter().enumerate() {
                    f(i, v.map_or(Cell::Null, Cell::Date));
                }
            }
            DataType::Datetime(unit, _) => {
                let mul = match unit {
                    TimeUnit::Nanoseconds => 1,
                    TimeUnit::Microseconds => 1_000,
                    TimeUnit::Milliseconds => 1_000_000,
                };
                for (i, v) in series.datetime().map_err(err)?.physical().iter().enumerate() {
                    f(i, v.and_then(|x| x.checked_mul(mul)).map_or(Cell::Null, Cell::DatetimeNs));
                }
            }
            dt if dt.is_integer() || dt.is_bool() => {
                let s = series.cast(&DataType::Int64).map_err(err)?;
                for (i, v) in s.i64().map_err(err)?.iter().enumerate() {
                    f(i, v.map_or(Cell::Null, Cell::Int));
                }
            }
            other => {
                return Err(read_err(
                    &self.path,
                    format!("column `{name}`: unsupported Parquet type {other}"),
                ))
            }
        }
        Ok(())
    }
}

/// Fields on the header line and on the last non-blank line, when the last is shorter (a quick
/// count of separators outside quotes; only used to explain empty cells).
fn short_last_line(text: &[u8]) -> Option<(usize, usize)> {
    let fields = field_count;
    let mut lines = text.split(|b| *b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    let header = fields(lines.next()?);
    let last = fields(lines.next_back()?);
    (last < header).then_some((last, header))
}

/// Fields on one CSV line (separators outside quotes, plus one).
fn field_count(line: &[u8]) -> usize {
    let mut quoted = false;
    1 + line
        .iter()
        .filter(|b| {
            if **b == b'"' {
                quoted = !quoted;
            }
            **b == b',' && !quoted
        })
        .count()
}

/// A header that is not comma-separated, or a line with more fields than the header, named by
/// line (polars would only say "more fields than defined in the schema").
fn check_fields(path: &Path, bytes: &[u8]) -> Result<(), DataError> {
    let mut lines = bytes.split(|b| *b == b'\n');
    let header = lines.next().unwrap_or_default();
    let n = field_count(header);
    if n == 1 {
        if let Some(sep) = [b';', b'\t', b'|'].into_iter().find(|c| header.contains(c)) {
            let shown = if sep == b'\t' { "tab".to_string() } else { format!("`{}`", sep as char) };
            return Err(read_err(
                path,
                format!(
                    "line 1 (header): expected comma-separated columns, found a {shown}-separated header [{}]: re-export the file with commas",
                    String::from_utf8_lossy(header).trim()
                ),
            ));
        }
    }
    for (i, line) in lines.enumerate() {
        let m = field_count(line);
        if m > n {
            return Err(read_err(
                path,
                format!("line {}: expected {n} fields (as many as the header), found {m}", i + 2),
            ));
        }
    }
    Ok(())
}

type CsvRead = (DataFrame, Option<(usize, usize)>);

/// The indices of the header's fields whose normalised names `keep` accepts (`None`: all).
fn projection(header: &[u8], keep: &dyn Fn(&str) -> bool) -> Option<Vec<usize>> {
    let mut names = Vec::new();
    let (mut quoted, mut start) = (false, 0);
    for (i, b) in header.iter().enumerate() {
        if *b == b'"' {
            quoted = !quoted;
        } else if *b == b',' && !quoted {
            names.push(&header[start..i]);
            start = i + 1;
        }
    }
    names.push(&header[start..]);
    let name = |raw: &[u8]| {
        normalise(String::from_utf8_lossy(raw).trim_matches(|c: char| c == '"' || c.is_whitespace()))
    };
    let kept: Vec<usize> = (0..names.len()).filter(|&i| keep(&name(names[i]))).collect();
    (kept.len() < names.len() && !kept.is_empty()).then_some(kept)
}

fn read_csv(path: &Path, keep: &dyn Fn(&str) -> bool) -> Result<CsvRead, DataError> {
    let bytes = std::fs::read(path).map_err(|e| read_err(path, e))?;
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(read_err(
            path,
            "expected UTF-8 text, found a UTF-16 byte-order mark (re-save the file as UTF-8)",
        ));
    }
    if let Err(e) = std::str::from_utf8(&bytes) {
        return Err(read_err(
            path,
            format!("expected UTF-8 text, found invalid bytes at byte offset {}", e.valid_up_to()),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    if !bytes.contains(&b'\n') || bytes.iter().all(|b| b.is_ascii_whitespace()) {
        let first = String::from_utf8_lossy(&bytes).trim().chars().take(80).collect::<String>();
        return Err(DataError::Empty {
            path: path.to_path_buf(),
            found: if first.is_empty() {
                "only blank space".into()
            } else {
                format!("a single line `{first}` and no data rows")
            },
        });
    }
    // Blank lines at the end of a file are not rows.
    let mut bytes = bytes;
    while bytes.last().is_some_and(u8::is_ascii_whitespace) {
        bytes.pop();
    }
    bytes.push(b'\n');
    check_fields(path, &bytes)?;
    let short = short_last_line(&bytes);
    let header_end = bytes.iter().position(|b| *b == b'\n').unwrap_or(bytes.len());
    let columns = projection(&bytes[..header_end], keep);
    let cursor = std::io::Cursor::new(bytes);
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_projection(columns.map(std::sync::Arc::new))
        .with_infer_schema_length(Some(0))
        .with_n_threads(Some(1))
        .into_reader_with_file_handle(cursor)
        .finish()
        .map_err(|e| read_err(path, e))?;
    Ok((df, short))
}
