//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Outcome of running the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `ironhedge` with `args` from the repository root.
pub fn ironhedge(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_ironhedge"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fixture under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

/// `../shared/datasets/<name>`, or `None` after printing why the test is skipped.
pub fn shared(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets").join(name);
    if p.exists() {
        Some(p)
    } else {
        println!("SKIPPED: {} not found (the real data in ../shared/datasets is absent)", p.display());
        None
    }
}

/// Parse a small CSV into header + rows of strings (test-side reference reader, no polars).
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("readable");
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().split(',').map(str::to_string).collect();
    let rows = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    (header, rows)
}

/// The sum of an attribution's components (every Greek term and the residual): its total.
pub fn components_usd(a: &ironhedge::engine::Attribution) -> f64 {
    a.delta_usd + a.gamma_usd + a.vega_usd + a.theta_usd + a.vanna_usd + a.volga_usd + a.residual_usd
}

/// Relative closeness for computed values.
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// `strategies/weekly_condor.toml` without its `[sweep]` table, data paths made absolute (for
/// tests that write variants of it elsewhere).
pub fn weekly_condor_base() -> String {
    let text = std::fs::read_to_string("strategies/weekly_condor.toml").unwrap();
    text.split("\n[sweep]")
        .next()
        .unwrap()
        .replace("../datasets/", &format!("{}/datasets/", env!("CARGO_MANIFEST_DIR")))
}
