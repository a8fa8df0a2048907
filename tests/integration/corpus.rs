//! The bad-input corpus (`tests/corpus/`, 66 files, expectations in `EXPECT.toml`) through the
//! binary: every hostile file is refused with exit 2 and a message naming the file and the line or
//! key, what was expected and what was found; every benign variant loads. No panics.

use crate::common::ironhedge;
use std::path::Path;

#[test]
fn every_corpus_file_is_loaded_or_refused_with_exit_2_and_a_precise_message() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let expect: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.join("EXPECT.toml")).unwrap()).unwrap();
    let cases = expect["case"].as_array().unwrap();
    let listed: Vec<&str> = cases.iter().map(|c| c["file"].as_str().unwrap()).collect();
    let mut present: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|f| f != "EXPECT.toml")
        .collect();
    present.sort();
    assert_eq!(present, listed, "EXPECT.toml lists every corpus file, in order");
    assert!(cases.len() >= 40, "{} files", cases.len());
    let out = tempfile::tempdir().unwrap();
    for c in cases {
        let file = c["file"].as_str().unwrap();
        let path = format!("tests/corpus/{file}");
        let r = if let Some(rest) = file.strip_prefix("import_") {
            // import_<format>__<case>: through that vendor importer.
            let format = rest.split("__").next().unwrap();
            let out_file = out.path().join(format!("{file}.csv"));
            ironhedge(&["data", "import", "--format", format, &path, "--out", out_file.to_str().unwrap()])
        } else if file.starts_with("sweep_") {
            ironhedge(&["sweep", &path, "--out", out.path().join(file).to_str().unwrap(), "--quiet"])
        } else if file.ends_with(".toml") {
            ironhedge(&["strategy", "check", &path])
        } else {
            ironhedge(&["data", "check", &path])
        };
        let text = format!("{}{}", r.stdout, r.stderr);
        assert_eq!(r.code as i64, c["code"].as_integer().unwrap(), "{file}: exit code\n{text}");
        assert!(!text.contains("panicked"), "{file}: panic\n{text}");
        if r.code != 0 {
            assert!(text.contains(file), "{file}: the message must name the file\n{text}");
        }
        for n in c["needles"].as_array().unwrap() {
            let n = n.as_str().unwrap();
            assert!(text.contains(n), "{file}: lacks `{n}`\n{text}");
        }
    }
}
