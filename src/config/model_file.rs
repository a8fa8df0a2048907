//! Model files: a TOML file whose `[model]` table (and, for a strategy with a hedge, `[hedge]`
//! table) sets pricing parameters, as `ironhedge calibrate` writes them to `model.toml`. A
//! strategy names one with `model.file = "path"` (relative to the strategy's folder): its keys fill
//! the strategy's own tables, and keys the strategy writes win. `ironhedge price --model-file`
//! reads the `[model]` table alone.

use super::error::{ConfigError, KeyPlace};
use super::raw::RawModel;
use crate::pricing::SurfaceParams;
use std::path::{Path, PathBuf};

/// A model file is a few keys: anything larger than this is not one (and is not read).
const MAX_MODEL_FILE_BYTES: u64 = 1 << 20;

fn read_table(path: &Path) -> Result<toml::Table, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("`{}` ({e})", path.display()))?;
    if !meta.is_file() || meta.len() > MAX_MODEL_FILE_BYTES {
        return Err(format!("`{}` (not a regular file of at most 1 MiB)", path.display()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("`{}` ({e})", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("`{}`: {}", path.display(), e.to_string().trim()))
}

/// Merge the model file named by `model.file` in `tree` (read from `strategy`) into it, and remove
/// the key: the resolved configuration holds the merged values. `place` locates `model.file`.
/// Returns each key taken from the file with its origin (`model.file PATH`), for error messages.
pub(super) fn merge_model_file(
    strategy: &Path,
    tree: &mut toml::Table,
    place: &dyn Fn(&str) -> KeyPlace,
) -> Result<Vec<(String, String)>, ConfigError> {
    let Some(model) = tree.get_mut("model").and_then(|m| m.as_table_mut()) else { return Ok(vec![]) };
    let Some(file) = model.remove("file") else { return Ok(vec![]) };
    let invalid = |expected: &str, found: String| ConfigError::Invalid {
        place: Box::new(place("model.file")),
        expected: expected.into(),
        found,
        hint: String::new(),
    };
    let Some(rel) = file.as_str() else {
        return Err(invalid("a path to a model file (a string)", file.to_string()));
    };
    let path = resolve(strategy, rel);
    let other = read_table(&path)
        .map_err(|e| invalid("a readable TOML model file (`ironhedge calibrate` writes one)", e))?;
    let mut merged = Vec::new();
    for section in ["model", "hedge"] {
        let Some(src) = other.get(section).and_then(|v| v.as_table()) else { continue };
        if section == "hedge" && !tree.contains_key("hedge") {
            continue; // hedge parameters only for a strategy with a hedge
        }
        let dst = tree.entry(section).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let Some(dst) = dst.as_table_mut() {
            for (k, v) in src {
                if !dst.contains_key(k) {
                    dst.insert(k.clone(), v.clone());
                    merged.push((format!("{section}.{k}"), format!("model.file {rel}")));
                }
            }
        }
    }
    Ok(merged)
}

fn resolve(strategy: &Path, rel: &str) -> PathBuf {
    let p = Path::new(rel);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        strategy.parent().unwrap_or(Path::new(".")).join(p)
    }
}

/// The SPX surface of a model file's `[model]` table (defaults for the keys it does not set).
pub fn load_model_file(path: &Path) -> Result<SurfaceParams, ConfigError> {
    let place = |key: &str| KeyPlace {
        file: path.to_path_buf(),
        key: key.to_string(),
        line: None,
        from_override: None,
    };
    let invalid = |key: &str, expected: &str, found: String| ConfigError::Invalid {
        place: Box::new(place(key)),
        expected: expected.into(),
        found,
        hint: String::new(),
    };
    let table = read_table(path).map_err(|e| ConfigError::Read { path: path.to_path_buf(), message: e })?;
    let model =
        table.get("model").cloned().ok_or_else(|| invalid("model", "a [model] table", "none".into()))?;
    let raw: RawModel = model.try_into().map_err(|e: toml::de::Error| {
        invalid("model", "the keys of a strategy's [model]", e.message().to_string())
    })?;
    super::validate::surface_params(&raw, &place)
}
