//! Strategy files: TOML parsed into raw structs ([`raw`]), command-line `--set` overrides applied
//! to the parsed tree, then validated into real types ([`Strategy`]). Every error names the file,
//! the key path and its line, what was expected and what was found ([`ConfigError`]).
//!
//! Paths in `[data]` are relative to the strategy file's folder. Dates may be TOML dates
//! (`start = 2014-01-02`) or strings (`start = "2014-01-02"`).

mod error;
pub mod hedge;
pub mod raw;
mod rules;
mod validate;

pub use error::{did_you_mean, ConfigError, KeyPlace};
pub use hedge::{Budget, HedgeSpec, HedgeStrike, LayerSpec, Schedule, ScheduleBy, Trigger};
pub use rules::{Action, Condition, Op, Rule, SignalSpec, ACTIONS, SIGNALS};
pub use validate::{
    CondorSpec, DataSources, EntrySchedule, Expiries, RateSpec, Sizing, Strategy, StrikeSpec, WingSpec,
};

use raw::RawStrategy;
use std::path::Path;

/// Load, override and validate a strategy file.
pub fn load_strategy(path: &Path, overrides: &[String]) -> Result<Strategy, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::Read { path: path.to_path_buf(), message: e.to_string() })?;
    let mut tree: toml::Table = toml::from_str(&text)
        .map_err(|e| ConfigError::Syntax { path: path.to_path_buf(), message: e.to_string() })?;
    let mut applied = Vec::new();
    for arg in overrides {
        let key = apply_override(&mut tree, arg)?;
        applied.push((key, arg.clone()));
    }
    let place = |key: &str| KeyPlace {
        file: path.to_path_buf(),
        key: key.to_string(),
        line: line_of(&text, key),
        from_override: applied
            .iter()
            .find(|(k, _)| key.starts_with(k.as_str()) || k.starts_with(key))
            .map(|(_, a)| format!("--set {a}")),
    };
    let raw: RawStrategy = toml::Value::Table(tree)
        .try_into()
        .map_err(|e: toml::de::Error| serde_error(&e.to_string(), &place))?;
    validate::validate(raw, path, &place)
}

/// Apply `key.path=value` to the tree; the value is read as TOML (`0.12`, `true`, `[1, 2]`,
/// `"text"`) or, when that fails, as a bare string (`--set condor.entry=weekday`).
fn apply_override(tree: &mut toml::Table, arg: &str) -> Result<String, ConfigError> {
    let bad = |found: &str| ConfigError::Override { arg: arg.to_string(), found: found.to_string() };
    let (key, value) = arg.split_once('=').ok_or_else(|| bad("no `=`"))?;
    let key = key.trim();
    let parts: Vec<&str> = key.split('.').collect();
    if key.is_empty() || parts.iter().any(|p| p.is_empty()) {
        return Err(bad("an empty key"));
    }
    let value = toml::from_str::<toml::Table>(&format!("v = {value}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value.trim().to_string()));
    let mut table = tree;
    for part in &parts[..parts.len() - 1] {
        let entry = table.entry(part.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        table = entry.as_table_mut().ok_or_else(|| bad(&format!("`{part}` is a value, not a table")))?;
    }
    table.insert(parts[parts.len() - 1].to_string(), value);
    Ok(key.to_string())
}

/// The 1-based line where `key` (dotted) is set in `text`: its table header, then the leaf.
fn line_of(text: &str, key: &str) -> Option<usize> {
    let parts: Vec<&str> = key.split('.').collect();
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0;
    let mut leaf_index = 0;
    // The longest prefix that appears as a [header].
    for n in (1..parts.len()).rev() {
        let header = format!("[{}]", parts[..n].join("."));
        if let Some(i) = lines.iter().position(|l| l.trim() == header) {
            from = i + 1;
            leaf_index = n;
            break;
        }
    }
    let leaf = parts.get(leaf_index)?;
    let is_key = |l: &&str| {
        let t = l.trim_start();
        t.strip_prefix(leaf).is_some_and(|rest| rest.trim_start().starts_with('=') || rest.starts_with('.'))
    };
    let end =
        lines[from..].iter().position(|l| l.trim_start().starts_with('[')).map_or(lines.len(), |p| from + p);
    lines[from..end].iter().position(is_key).map(|i| from + i + 1)
}

/// Turn a serde error message ("unknown field `x`, expected one of `a`, `b`\nin `condor`") into a
/// [`ConfigError`] with the key path, its line, and a suggestion.
fn serde_error(msg: &str, place: &dyn Fn(&str) -> KeyPlace) -> ConfigError {
    let (body, path) = match msg.rsplit_once("\nin `") {
        Some((b, p)) => (b.trim(), p.trim_end_matches(['`', '\n'])),
        None => (msg.trim(), ""),
    };
    let join = |field: &str| if path.is_empty() { field.to_string() } else { format!("{path}.{field}") };
    let quoted = |s: &str| s.split('`').skip(1).step_by(2).map(str::to_string).collect::<Vec<_>>();
    if let Some(rest) = body.strip_prefix("unknown field ") {
        let names = quoted(rest);
        let (found, allowed) = names.split_first().map(|(f, a)| (f.clone(), a.to_vec())).unwrap_or_default();
        let allowed_refs: Vec<&str> = allowed.iter().map(String::as_str).collect();
        return ConfigError::UnknownKey {
            place: Box::new(place(&join(&found))),
            allowed: allowed_refs.join(", "),
            hint: did_you_mean(&found, &allowed_refs),
        };
    }
    if let Some(rest) = body.strip_prefix("missing field ") {
        let field = quoted(rest).into_iter().next().unwrap_or_default();
        return ConfigError::Invalid {
            place: Box::new(place(&join(&field))),
            expected: "this required key".into(),
            found: "nothing".into(),
            hint: String::new(),
        };
    }
    let (found, expected) = match body.rsplit_once(", expected ") {
        Some((f, e)) => (
            f.trim_start_matches("invalid type: ").trim_start_matches("invalid value: ").to_string(),
            e.to_string(),
        ),
        None => (body.to_string(), "a valid value".to_string()),
    };
    ConfigError::Invalid { place: Box::new(place(path)), expected, found, hint: String::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_keys() {
        let text = "[strategy]\nname = \"x\"\n\n[condor]\nentry = \"weekday\"\nshort_put = { by = \"delta\", value = 0.16 }\n[costs]\nentry = 1\n";
        assert_eq!(line_of(text, "condor.entry"), Some(5));
        assert_eq!(line_of(text, "condor.short_put.value"), Some(6));
        assert_eq!(line_of(text, "costs.entry"), Some(8));
        assert_eq!(line_of(text, "condor.missing"), None);
    }

    #[test]
    fn overrides_parse_toml_or_bare_strings() {
        let mut t: toml::Table = toml::from_str("[condor]\nentry = \"weekday\"\n").unwrap();
        apply_override(&mut t, "condor.short_put.value=0.12").unwrap();
        apply_override(&mut t, "condor.entry=when_flat").unwrap();
        assert_eq!(t["condor"]["short_put"]["value"].as_float(), Some(0.12));
        assert_eq!(t["condor"]["entry"].as_str(), Some("when_flat"));
        assert!(matches!(apply_override(&mut t, "condor.entry.x=1"), Err(ConfigError::Override { .. })));
        assert!(matches!(apply_override(&mut t, "no_equals"), Err(ConfigError::Override { .. })));
        assert!(matches!(apply_override(&mut t, "a..b=1"), Err(ConfigError::Override { .. })));
    }
}
