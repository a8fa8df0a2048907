//! Nothing lost: a run killed (SIGKILL) at 20 different moments leaves every result file either
//! absent or whole - CSVs with every row complete, PNGs ending in their IEND chunk, Parquet
//! framed by its magic bytes, TOML and JSON that parse - and the next run starts clean.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Whether `path` (not a hidden temporary) is a complete file of its kind.
fn whole(path: &Path) -> Result<(), String> {
    let b = std::fs::read(path).map_err(|e| e.to_string())?;
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => {
            let text = String::from_utf8(b).map_err(|e| e.to_string())?;
            if !text.ends_with('\n') {
                return Err(format!("{name}: no final newline"));
            }
            let mut lines = text.lines();
            let n = lines.next().ok_or("no header")?.split(',').count();
            for (i, l) in lines.enumerate() {
                if l.split(',').count() != n {
                    return Err(format!(
                        "{name}: line {} has {} fields, the header {n}",
                        i + 2,
                        l.split(',').count()
                    ));
                }
            }
            Ok(())
        }
        Some("png") => (b.starts_with(b"\x89PNG")
            && b.ends_with(&[0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]))
        .then_some(())
        .ok_or(format!("{name}: not a whole PNG")),
        Some("parquet") => (b.starts_with(b"PAR1") && b.ends_with(b"PAR1"))
            .then_some(())
            .ok_or(format!("{name}: torn Parquet")),
        Some("toml") => toml::from_str::<toml::Table>(&String::from_utf8_lossy(&b))
            .map(|_| ())
            .map_err(|e| format!("{name}: {e}")),
        Some("json") => {
            let t = String::from_utf8_lossy(&b);
            let balanced = t.matches('{').count() == t.matches('}').count();
            (t.starts_with('{') && t.ends_with("}\n") && balanced)
                .then_some(())
                .ok_or(format!("{name}: torn JSON"))
        }
        _ => Err(format!("{name}: unexpected file")),
    }
}

fn check_tree(dir: &Path) -> usize {
    let mut temps = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if p.is_dir() {
            temps += check_tree(&p);
        } else if name.starts_with('.') && name.contains(".tmp-") {
            temps += 1;
        } else if let Err(msg) = whole(&p) {
            panic!("{}: {msg}", p.display());
        }
    }
    temps
}

#[test]
fn a_run_killed_at_20_moments_leaves_whole_files_or_none() {
    let out = tempfile::tempdir().unwrap();
    let mut temps_seen = 0;
    for k in 0..20u64 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ironhedge"))
            .args(["run", "strategies/flagship.toml", "--out", out.path().to_str().unwrap()])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(10 + 27 * k));
        let _ = child.kill();
        child.wait().unwrap();
        temps_seen += check_tree(out.path());
    }
    println!("{temps_seen} leftover temporary files seen over 20 kills");
    // The next run removes what killed writers left and completes.
    let r =
        crate::common::ironhedge(&["run", "strategies/flagship.toml", "--out", out.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(check_tree(out.path()), 0, "no temporary file is left after a complete run");
    let dir = std::fs::read_dir(out.path()).unwrap().next().unwrap().unwrap().path();
    assert!(dir.join("summary.json").exists());
}
