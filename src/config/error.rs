//! [`ConfigError`]: every strategy-file problem names the file, the key path (and its line when
//! the key is in the file), what was expected and what was found, with a "did you mean" for a
//! misspelt key or value.

use std::fmt;
use std::path::PathBuf;

/// Where in the strategy a problem is.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyPlace {
    pub file: PathBuf,
    /// Dotted key path, e.g. `condor.short_put.value`.
    pub key: String,
    /// 1-based line of the key in the file, when found there.
    pub line: Option<usize>,
    /// `Some("--set condor.x=1")` when the value came from the command line.
    pub from_override: Option<String>,
}

impl fmt::Display for KeyPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(arg) = &self.from_override {
            write!(f, " (from {arg})")?;
        } else if let Some(l) = self.line {
            write!(f, ": line {l}")?;
        }
        write!(f, ": key `{}`", self.key)
    }
}

/// Errors of loading and validating a strategy.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {message}", path = .path.display())]
    Read { path: PathBuf, message: String },
    /// TOML syntax; `message` carries toml's line, column and caret.
    #[error("{path}: {message}", path = .path.display())]
    Syntax { path: PathBuf, message: String },
    /// A key that does not exist (with a suggestion when one is close).
    #[error("{place}: unknown key; allowed here: {allowed}{hint}")]
    UnknownKey { place: Box<KeyPlace>, allowed: String, hint: String },
    /// A value of the wrong type, out of range, or a missing required key.
    #[error("{place}: expected {expected}, found {found}{hint}")]
    Invalid { place: Box<KeyPlace>, expected: String, found: String, hint: String },
    /// A malformed `--set` argument.
    #[error("--set {arg}: expected KEY.PATH=VALUE with KEY.PATH a key of the strategy file, found {found}")]
    Override { arg: String, found: String },
}

/// Levenshtein distance (for "did you mean").
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `"; did you mean `x`?"` for the closest candidate within a small edit distance, else `""`.
/// A candidate that starts with what was written (`take_profit` for `take_profit_multiple`) counts
/// as close when it is the only one.
pub fn did_you_mean(found: &str, candidates: &[&str]) -> String {
    let close = candidates
        .iter()
        .map(|c| (distance(found, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c);
    let prefixed: Vec<&str> =
        candidates.iter().copied().filter(|c| found.len() >= 4 && c.starts_with(found)).collect();
    close
        .or(if prefixed.len() == 1 { Some(prefixed[0]) } else { None })
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("short_detla", &["short_put", "short_call", "entry"]), "");
        assert_eq!(did_you_mean("shortput", &["short_put", "short_call"]), "; did you mean `short_put`?");
        assert_eq!(
            did_you_mean("wekday", &["weekday", "every_n_days", "when_flat"]),
            "; did you mean `weekday`?"
        );
        assert_eq!(did_you_mean("xyz", &["weekday"]), "");
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
