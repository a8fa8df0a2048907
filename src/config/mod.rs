//! Strategy files: TOML parsed into raw structs ([`raw`]), command-line `--set` overrides applied
//! to the parsed tree, then validated into real types ([`Strategy`]). Every error names the file,
//! the key path and its line, what was expected and what was found ([`ConfigError`]).
//!
//! Paths in `[data]` are relative to the strategy file's folder. Dates may be TOML dates
//! (`start = 2014-01-02`) or strings (`start = "2014-01-02"`).

mod error;
pub mod hedge;
mod model_file;
pub mod raw;
mod rules;
pub mod signal_expr;
mod signal_parse;
mod strike_grid;
mod validate;

pub use error::{did_you_mean, ConfigError, KeyPlace};
pub use hedge::{Budget, HedgeSpec, HedgeStrike, LayerSpec, Schedule, ScheduleBy, Trigger};
pub use model_file::load_model_file;
pub use rules::{Action, Condition, Op, PositionAction, Rule, SignalSpec, ACTIONS};
pub use signal_expr::{Base, CrossTo, Event, Function, PositionField, SignalRef, Stream};
pub use validate::{
    CondorSpec, DataSources, EntrySchedule, Expiries, FillMode, RateSpec, Sizing, Strategy, StrikeSpec,
    WingSpec,
};

use raw::RawStrategy;
use std::path::Path;

/// A strategy file read and overridden but not yet validated: the base every sweep combination
/// is built from (`with`), so the file is read and parsed once.
#[derive(Debug, Clone)]
pub struct StrategySource {
    pub path: std::path::PathBuf,
    text: String,
    tree: toml::Table,
    /// (key path, its origin as shown in errors), e.g. `--set condor.x=1`.
    applied: Vec<(String, String)>,
    /// `tree` deserialized (`None` when it does not deserialize), built on first use by `with`.
    base: std::sync::OnceLock<Option<RawStrategy>>,
}

impl StrategySource {
    /// Read `path` and apply the `--set` overrides.
    pub fn read(path: &Path, overrides: &[String]) -> Result<Self, ConfigError> {
        let bytes = std::fs::read(path)
            .map_err(|e| ConfigError::Read { path: path.to_path_buf(), message: e.to_string() })?;
        let text = String::from_utf8(bytes).map_err(|e| ConfigError::Read {
            path: path.to_path_buf(),
            message: format!(
                "expected UTF-8 text, found invalid bytes at byte offset {}",
                e.utf8_error().valid_up_to()
            ),
        })?;
        let mut tree: toml::Table = toml::from_str(&text)
            .map_err(|e| ConfigError::Syntax { path: path.to_path_buf(), message: e.to_string() })?;
        let mut applied = Vec::new();
        for arg in overrides {
            let key = apply_override(&mut tree, arg)?;
            applied.push((key, format!("--set {arg}")));
        }
        let place = |key: &str| KeyPlace {
            file: path.to_path_buf(),
            key: key.to_string(),
            line: line_of(&text, key),
            from_override: applied.iter().find(|(k, _)| k == key).map(|(_, o)| o.clone()),
        };
        let merged = model_file::merge_model_file(path, &mut tree, &place)?;
        applied.extend(merged);
        Ok(StrategySource { path: path.to_path_buf(), text, tree, applied, base: Default::default() })
    }

    /// The `--set` arguments this source was read with.
    pub fn overrides(&self) -> Vec<String> {
        self.applied.iter().filter_map(|(_, o)| o.strip_prefix("--set ").map(str::to_string)).collect()
    }

    /// The parsed tree (after the overrides).
    pub fn tree(&self) -> &toml::Table {
        &self.tree
    }

    /// Validate the file as read.
    /// Validate the file as read, and check that every data file it names exists (once per
    /// command: a sweep's combinations, validated by [`Self::with`], cannot change data keys).
    pub fn validate(&self) -> Result<Strategy, ConfigError> {
        let s = self.validate_tree(self.tree.clone(), &self.applied)?;
        check_data_files(&s, &|key| self.place(key, &self.applied))?;
        Ok(s)
    }

    /// Where `key` is: this file, its line, and the override that set it (last one wins).
    fn place(&self, key: &str, applied: &[(String, String)]) -> KeyPlace {
        KeyPlace {
            file: self.path.clone(),
            key: key.to_string(),
            line: line_of(&self.text, key),
            from_override: applied
                .iter()
                .rev()
                .find(|(k, _)| key.starts_with(k.as_str()) || k.starts_with(key))
                .map(|(_, origin)| origin.clone()),
        }
    }

    /// Validate with `assignments` applied (`None` removes an optional key); errors about an
    /// assigned key name `origin` (e.g. `sweep`) and the assignment. One combination of a sweep:
    /// its resolved configuration has no `[sweep]` table.
    pub fn with(
        &self,
        assignments: &[(String, Option<toml::Value>)],
        origin: &str,
    ) -> Result<Strategy, ConfigError> {
        match self.with_sections(assignments) {
            Some(s) => Ok(s),
            None => self.with_full(assignments, origin),
        }
    }

    /// [`Self::with`] the long way: the whole tree overridden, deserialized and validated.
    fn with_full(
        &self,
        assignments: &[(String, Option<toml::Value>)],
        origin: &str,
    ) -> Result<Strategy, ConfigError> {
        let mut tree = self.tree.clone();
        let mut applied = self.applied.clone();
        for (key, value) in assignments {
            let parts: Vec<&str> = key.split('.').collect();
            set_path(&mut tree, &parts, value.clone())
                .map_err(|found| ConfigError::Override { arg: format!("{origin} {key}"), found })?;
            let shown = value.as_ref().map_or("none".to_string(), |v| v.to_string());
            applied.push((key.clone(), format!("{origin}: {key} = {shown}")));
        }
        let mut s = self.validate_tree(tree, &applied)?;
        s.resolved.sweep = None;
        Ok(s)
    }

    /// The fast path of [`Self::with`] (a sweep calls it once per combination): the base
    /// deserialized once, and only the sections the assignments touch deserialized again. The
    /// same raw strategy as the whole tree would give, so the same validated strategy; `None` on
    /// any failure or unusual key (a list of tables, an unknown section), where the full path runs
    /// and reports the error in its usual words.
    fn with_sections(&self, assignments: &[(String, Option<toml::Value>)]) -> Option<Strategy> {
        // The base without its `[sweep]` table, which validation does not read: cloning it for
        // every combination cost more than deserializing the section the combination changes.
        let base = self.base.get_or_init(|| {
            let raw: Option<RawStrategy> = toml::Value::Table(self.tree.clone()).try_into().ok();
            raw.map(|r| RawStrategy { sweep: None, ..r })
        });
        let mut raw = base.clone()?;
        let mut sections: Vec<(&str, toml::Table)> = Vec::new();
        for (key, value) in assignments {
            let (name, rest) = key.split_once('.')?;
            let at = match sections.iter().position(|(n, _)| *n == name) {
                Some(i) => i,
                None => {
                    let table = match self.tree.get(name) {
                        Some(v) => v.as_table()?.clone(),
                        None => toml::Table::new(),
                    };
                    sections.push((name, table));
                    sections.len() - 1
                }
            };
            let parts: Vec<&str> = rest.split('.').collect();
            set_path(&mut sections[at].1, &parts, value.clone()).ok()?;
        }
        for (name, table) in sections {
            raw::patch_section(&mut raw, name, table).ok()??;
        }
        let place = |key: &str| KeyPlace {
            file: self.path.clone(),
            key: key.to_string(),
            line: None,
            from_override: None,
        };
        validate::validate(raw, &self.path, &place).ok()
    }

    fn validate_tree(
        &self,
        tree: toml::Table,
        applied: &[(String, String)],
    ) -> Result<Strategy, ConfigError> {
        let place = |key: &str| self.place(key, applied);
        let raw: RawStrategy = toml::Value::Table(tree)
            .try_into()
            .map_err(|e: toml::de::Error| serde_error(&e.to_string(), &place))?;
        validate::validate(raw, &self.path, &place)
    }
}

/// Every data file the strategy names exists: a missing one is an error naming the strategy
/// file, the key (`data.spx`) and its line, and the path it resolved to.
fn check_data_files(s: &Strategy, place: &dyn Fn(&str) -> KeyPlace) -> Result<(), ConfigError> {
    let d = &s.data;
    let rates = match &s.rate {
        RateSpec::File { path, .. } => Some(path),
        RateSpec::Constant(_) => None,
    };
    let named: Vec<(String, &std::path::PathBuf)> =
        d.series.iter().map(|n| (format!("data.series.{}", n.name), &n.path)).collect();
    let files = [
        ("data.spx", Some(&d.spx)),
        ("data.skew", d.skew.as_ref()),
        ("data.vix", Some(&d.vix)),
        ("data.vix9d", d.vix9d.as_ref()),
        ("data.vix3m", d.vix3m.as_ref()),
        ("data.vix6m", d.vix6m.as_ref()),
        ("data.vvix", d.vvix.as_ref()),
        ("data.vx_term", d.vx_term.as_ref()),
        ("data.spx_chain", d.spx_chain.as_ref()),
        ("data.vix_chain", d.vix_chain.as_ref()),
        ("rates.file", rates),
        ("signals.liquidations", s.signals.liquidations.as_ref()),
        ("signals.funding", s.signals.funding.as_ref()),
        ("signals.calendar", s.signals.calendar.as_ref()),
    ];
    let all = files.iter().filter_map(|(k, p)| p.map(|p| (k.to_string(), p))).chain(named);
    for (key, path) in all {
        if !path.is_file() {
            let why = if path.exists() { "not a file" } else { "no such file" };
            return Err(ConfigError::Invalid {
                place: Box::new(place(&key)),
                expected: "an existing data file (a relative path is taken from the strategy file's folder)"
                    .into(),
                found: format!("`{}` ({why})", path.display()),
                hint: String::new(),
            });
        }
    }
    Ok(())
}

/// Load, override and validate a strategy file.
pub fn load_strategy(path: &Path, overrides: &[String]) -> Result<Strategy, ConfigError> {
    StrategySource::read(path, overrides)?.validate()
}

/// Set (or, with `None`, remove) the value at `parts` in `tree`, creating tables on the way; a
/// numeric part indexes an array of tables (`hedge.layers.0.share`). Errors say what was found
/// where a table was needed.
fn set_path(tree: &mut toml::Table, parts: &[&str], value: Option<toml::Value>) -> Result<(), String> {
    if parts.is_empty() || parts.iter().any(|p| p.is_empty()) {
        return Err("an empty key".into());
    }
    let mut table = tree;
    let mut i = 0;
    while i + 1 < parts.len() {
        let part = parts[i];
        let entry = table.entry(part.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let entry = match entry {
            toml::Value::Array(items) => {
                // The next part is the index; the one after it continues inside that entry.
                i += 1;
                let next = parts[i];
                let n: usize = next
                    .parse()
                    .map_err(|_| format!("`{part}` is a list: index it with a number, found `{next}`"))?;
                let len = items.len();
                if i + 1 == parts.len() {
                    return Err(format!("`{part}.{next}` is a whole list entry: set one of its keys"));
                }
                items.get_mut(n).ok_or_else(|| format!("`{part}` has {len} entries, no entry {n}"))?
            }
            other => other,
        };
        table = entry.as_table_mut().ok_or_else(|| format!("`{part}` is a value, not a table"))?;
        i += 1;
    }
    let last = parts[parts.len() - 1];
    match value {
        Some(v) => {
            table.insert(last.to_string(), v);
        }
        None => {
            table.remove(last);
        }
    }
    Ok(())
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
    set_path(tree, &parts, Some(value)).map_err(|f| bad(&f))?;
    Ok(key.to_string())
}

/// The 1-based line where `key` (dotted) is set in `text`: its table header, then the leaf.
fn line_of(text: &str, key: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    // `layers[2]` -> ("layers", Some(2)): the third `[[...layers]]` block.
    let segs: Vec<(&str, Option<usize>)> = key
        .split('.')
        .map(|p| match p.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse().ok()),
            None => (p, None),
        })
        .collect();
    let names: Vec<&str> = segs.iter().map(|s| s.0).collect();
    let headers = |n: usize| -> Vec<usize> {
        let path = names[..n].join(".");
        let (table, array) = (format!("[{path}]"), format!("[[{path}]]"));
        (0..lines.len())
            .filter(|&i| {
                let t = lines[i].split('#').next().unwrap_or("").trim();
                t == table || t == array
            })
            .collect()
    };
    // The key is itself an array-of-tables entry (`rules[1]`): its header line.
    if let Some(i) = segs.last().and_then(|s| s.1) {
        if let Some(h) = headers(segs.len()).get(i) {
            return Some(h + 1);
        }
    }
    // The longest prefix that appears as a [header] or [[header]] (the indexed block, when given;
    // else the first block that has the key).
    for n in (1..segs.len()).rev() {
        let starts = headers(n);
        if starts.is_empty() {
            continue;
        }
        let blocks: Vec<usize> = match segs[n - 1].1 {
            Some(i) => starts.get(i).copied().into_iter().collect(),
            None => starts,
        };
        return blocks.into_iter().find_map(|b| key_in_block(&lines, b + 1, segs[n].0));
    }
    key_in_block(&lines, 0, segs[0].0)
}

/// 1-based line of `leaf = ...` (or `leaf.x = ...`) between line index `from` and the next header.
fn key_in_block(lines: &[&str], from: usize, leaf: &str) -> Option<usize> {
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
        let mut t: toml::Table =
            toml::from_str("[[hedge.layers]]\nshare = 0.5\n[[hedge.layers]]\nshare = 0.2\n").unwrap();
        apply_override(&mut t, "hedge.layers.1.share=0.3").unwrap();
        assert_eq!(t["hedge"]["layers"][1]["share"].as_float(), Some(0.3));
        assert_eq!(t["hedge"]["layers"][0]["share"].as_float(), Some(0.5));
        assert!(matches!(
            apply_override(&mut t, "hedge.layers.2.share=1"),
            Err(ConfigError::Override { .. })
        ));
        assert!(matches!(
            apply_override(&mut t, "hedge.layers.x.share=1"),
            Err(ConfigError::Override { .. })
        ));
    }

    #[test]
    fn sweep_overrides_take_the_fast_path_to_the_same_strategy() {
        let src = StrategySource::read(Path::new("strategies/flagship.toml"), &[]).unwrap();
        let set = |pairs: &[(&str, Option<toml::Value>)]| -> Vec<(String, Option<toml::Value>)> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
        };
        let (int, float) = (|x: i64| Some(toml::Value::Integer(x)), |x: f64| Some(toml::Value::Float(x)));
        let cases = [
            set(&[("condor.target_dte_days", int(30)), ("condor.wing.value", float(25.0))]),
            set(&[("condor.profit_target_pct", None), ("condor.exit_dte_days", None)]),
            set(&[("hedge.layers.1.share", float(0.25)), ("costs.commission_usd", float(1.0))]),
            set(&[("model.smile", Some(toml::Value::Boolean(false))), ("capital.initial_usd", float(5e4))]),
        ];
        for a in &cases {
            let fast = src.with_sections(a).expect("the fast path applies");
            assert_eq!(fast, src.with_full(a, "sweep").unwrap(), "{a:?}");
            assert_ne!(fast, src.validate().unwrap(), "{a:?} changed something");
        }
        // A bad value or an unusual key: the fast path declines and the full path explains.
        let bad = set(&[("condor.target_dte_days", Some(toml::Value::String("x".into())))]);
        assert!(src.with_sections(&bad).is_none());
        let e = src.with(&bad, "sweep").unwrap_err().to_string();
        assert!(e.contains("target_dte_days") && e.contains("sweep"), "{e}");
        assert!(src.with_sections(&set(&[("nosuch.key", int(1))])).is_none());
        assert!(src.with(&set(&[("nosuch.key", int(1))]), "sweep").is_err());
    }
}
