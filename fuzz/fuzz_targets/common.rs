//! Shared by the fuzz targets: a per-process scratch file with the right extension.

use std::path::PathBuf;

/// Write `bytes` to a scratch file named `name` in this process's folder under the temp dir.
pub fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ironhedge-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("scratch file");
    p
}
