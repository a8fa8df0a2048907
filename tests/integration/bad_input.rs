//! Malformed files: each must give exit code 2 and a message naming the file, the line, the column,
//! what was expected and what was found - through `data check`, through the loaders, and through
//! `data import`. Benign variants (UTF-8 BOM, CRLF, quoted fields) must load.

use crate::common::{fixture, ironhedge};
use ironhedge::data::{load_bars, BarOptions};

/// (fixture, substrings the `data check` report must contain)
const CASES: &[(&str, &[&str])] = &[
    ("bad/wrong_header.csv", &["wrong_header.csv", "line 1 (header)", "`date`", "found columns [day,price]"]),
    ("bad/bad_date.csv", &["bad_date.csv", "line 3", "`date`", "expected an ISO date", "found `2024-13-45`"]),
    ("bad/text_in_number.csv", &["line 3", "`close`", "expected a number", "found `abc`"]),
    (
        "bad/unsorted.csv",
        &["line 4", "`date`", "unsorted", "expected a time after 2024-01-04 (line 3)", "found 2024-01-03"],
    ),
    (
        "bad/empty.csv",
        &["empty.csv", "expected a header and at least one data row", "found an empty file (0 bytes)"],
    ),
    (
        "bad/header_only.csv",
        &["header_only.csv", "found a header [date,open,high,low,close] and no data rows"],
    ),
    (
        "bad/truncated.csv",
        &["line 4", "`close`", "expected a number", "3 of 5 fields: is the file truncated?"],
    ),
    ("bad/duplicate.csv", &["line 3", "duplicate time", "(line 2)", "found 2024-01-02"]),
    ("bad/high_below_low.csv", &["line 2", "`high`", "expected high >= low (4754.33)", "found 4722.67"]),
    ("bad/nan_price.csv", &["line 2", "`close`", "expected a finite price", "found NaN"]),
    ("bad/negative_price.csv", &["line 2", "`close`", "expected a price > 0", "found -4742.83"]),
    (
        "bad/open_above_high.csv",
        &[
            "repair",
            "line 2",
            "`open`",
            "expected a value in [4722.67, 4754.33]",
            "found 4760 (clamped to 4754.33)",
        ],
    ),
];

#[test]
fn data_check_reports_every_malformed_file_with_exit_2() {
    for (file, needles) in CASES {
        let path = fixture(file);
        let r = ironhedge(&["data", "check", path.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{file}: exit code\n{}{}", r.stdout, r.stderr);
        assert!(!r.stderr.contains("panicked"), "{file}: panic\n{}", r.stderr);
        for n in *needles {
            assert!(r.stdout.contains(n), "{file}: report lacks `{n}`:\n{}", r.stdout);
        }
    }
}

#[test]
fn loader_errors_name_file_line_column_expected_found() {
    for (file, needles) in CASES {
        let path = fixture(file);
        match load_bars(&path, &BarOptions::default()) {
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains(path.file_name().unwrap().to_str().unwrap()), "{msg}");
                // The loader stops at the first error; it must carry the same facts as the report.
                let facts: Vec<&&str> = needles
                    .iter()
                    .filter(|n| {
                        !n.starts_with("repair") && !n.contains("unsorted") && !n.contains("duplicate")
                    })
                    .collect();
                for n in facts {
                    assert!(msg.contains(*n), "{file}: loader error lacks `{n}`: {msg}");
                }
            }
            Ok(bars) => {
                // Only the repairable case loads, and it says what it repaired.
                assert_eq!(*file, "bad/open_above_high.csv");
                assert_eq!(bars.open[0], 4754.33);
                assert_eq!(bars.repairs.len(), 1);
                assert!(bars.repairs[0].found.contains("clamped"));
            }
        }
    }
}

#[test]
fn benign_variants_load_bom_crlf_quotes() {
    let bars = load_bars(&fixture("bad/bom_crlf_quoted_ok.csv"), &BarOptions::default()).expect("loads");
    assert_eq!(bars.close, vec![4742.83, 4704.81]);
    assert_eq!(bars.open, vec![4745.2, 4725.07]);
    assert!(!bars.close_only);
}

#[test]
fn utf16_and_binary_junk_are_refused_not_panicked() {
    let dir = tempfile::tempdir().unwrap();
    let u16 = dir.path().join("utf16.csv");
    std::fs::write(&u16, [0xFF, 0xFE, b'd', 0, b'a', 0, b'\n', 0]).unwrap();
    let junk = dir.path().join("junk.csv");
    std::fs::write(&junk, [0x00, 0x9F, 0xFF, 0x10, b'\n', 0xC3, 0x28, b'\n']).unwrap();
    for (p, want) in [(&u16, "UTF-16"), (&junk, "expected UTF-8 text")] {
        let r = ironhedge(&["data", "check", p.to_str().unwrap()]);
        assert_eq!(r.code, 2);
        assert!(r.stdout.contains(want), "{}", r.stdout);
        let e = load_bars(p, &BarOptions::default()).unwrap_err().to_string();
        assert!(e.contains(want) && e.contains(p.file_name().unwrap().to_str().unwrap()), "{e}");
    }
}

#[test]
fn import_of_a_malformed_vendor_file_exits_2_naming_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("cboe.csv");
    std::fs::write(&bad, "DATE,OPEN,HIGH,LOW,CLOSE\n01/02/2024,1,2,0.5,1.5\n01/03/2024,1,2,0.5,oops\n")
        .unwrap();
    let out = dir.path().join("out.csv");
    let r = ironhedge(&[
        "data",
        "import",
        "--format",
        "cboe",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    for n in ["cboe.csv", "line 3", "`close`", "expected a number", "found `oops`"] {
        assert!(r.stderr.contains(n), "lacks `{n}`: {}", r.stderr);
    }
    assert!(!out.exists(), "nothing may be written on failure");
    let r = ironhedge(&["data", "import", "--format", "nope", bad.to_str().unwrap(), "--out", "x.csv"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("expected one of cboe, yahoo"), "{}", r.stderr);
}

#[test]
fn missing_file_and_usage_errors_exit_2() {
    let r = ironhedge(&["data", "check", "no/such/file.csv"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("no/such/file.csv: cannot read"), "{}", r.stdout);
    assert_eq!(ironhedge(&["data", "check"]).code, 2);
    assert_eq!(ironhedge(&["frobnicate"]).code, 2);
    assert_eq!(ironhedge(&["--help"]).code, 0);
}

#[test]
fn bundled_datasets_are_clean() {
    let r = ironhedge(&[
        "data",
        "check",
        "datasets/spx_daily_1999_2018.csv",
        "datasets/vix_close_2014_2019.csv",
        "--strict",
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("spx_daily_1999_2018.csv: bars — 5031 rows, daily, 1999-01-04 .. 2018-12-31: 0 errors, 0 repairs, 0 warnings"), "{}", r.stdout);
    assert!(r.stdout.contains("vix_close_2014_2019.csv: bars — 1259 rows"), "{}", r.stdout);
}

#[test]
fn a_closed_pipe_ends_quietly_not_with_a_panic() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    // 20,000 bad rows: a report far larger than a pipe buffer, so the writer hits a closed pipe.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("many.csv");
    let mut text = String::from("date,close\n");
    for i in 0..20_000 {
        text.push_str(&format!("2024-01-02,bad{i}\n"));
    }
    std::fs::write(&p, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ironhedge"))
        .args(["data", "check", "--examples", "100000", p.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // The reader is dropped here, closing the pipe like `| head -1`.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(first.contains("many.csv"), "{first}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "a closed pipe is not an error: {stderr}");
}

#[test]
fn files_over_the_memory_limit_are_refused_with_a_message() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ironhedge"))
        .args(["data", "check", "datasets/spx_daily_1999_2018.csv"])
        .env("IRONHEDGE_MAX_FILE_MB", "0")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    for n in ["spx_daily_1999_2018.csv", "larger than the 0 MB", "IRONHEDGE_MAX_FILE_MB"] {
        assert!(text.contains(n), "lacks `{n}`: {text}");
    }
}
