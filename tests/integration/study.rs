//! `ironhedge study events`: files, charts and numbers on the shipped data; the macro calendar
//! as an event source and as a rule signal; bad calendars and signals refused with exit 2.

use crate::common::{ironhedge, read_csv};

/// The study of cascades, RSI below 30 and the 2016 FOMC statements on the flagship, into `out`.
fn study_into(out: &std::path::Path) -> crate::common::Run {
    let (fomc, dir) = ("tests/fixtures/calendar/fomc_2016.csv", out.to_str().unwrap());
    let signals = ["--signal", "cascade", "--signal", "rsi_below:30", "--signal", "calendar:FOMC"];
    let mut args = vec!["study", "events", "strategies/flagship.toml"];
    args.extend(signals);
    args.extend(["--calendar", fomc, "--horizon", "5", "--out", dir]);
    ironhedge(&args)
}

#[test]
fn an_event_study_writes_its_tables_and_charts() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("study");
    let r = study_into(&out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Holm-adjusted"), "{}", r.stdout);
    let (head, rows) = read_csv(&out.join("summary.csv"));
    assert_eq!(&head[..4], ["signal", "measure", "horizon", "events"]);
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    // The 8 FOMC statements of 2016, each its own session (cool-down 5 < the weeks between them).
    let fomc: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "calendar:FOMC").collect();
    assert!(fomc.iter().all(|r| r[col("events")] == "8"), "{fomc:?}");
    for r in &rows {
        let (lo, mean, hi) = (
            r[col("ci_low")].parse::<f64>().unwrap(),
            r[col("mean")].parse::<f64>().unwrap(),
            r[col("ci_high")].parse::<f64>().unwrap(),
        );
        assert!(lo <= mean + 1e-12 && mean <= hi + 1e-12, "{r:?}");
        let (p, adj) = (r[col("p")].parse::<f64>().unwrap(), r[col("p_holm")].parse::<f64>().unwrap());
        assert!(p > 0.0 && p <= adj && adj <= 1.0, "{r:?}");
    }
    let (_, events) = read_csv(&out.join("events.csv"));
    assert!(
        events.iter().any(|e| e[0] == "calendar:FOMC" && e[2] == "2016-12-14"),
        "FOMC at 14:00 is that day's session"
    );
    let (ahead, books) = read_csv(&out.join("attribution.csv"));
    assert_eq!(&ahead[..4], ["signal", "book", "window_sessions", "other_sessions"]);
    assert!(books.iter().any(|b| b[1] == "condor"));
    for name in ["paths-cascade.png", "attribution-cascade.png", "paths-calendar-fomc.png"] {
        let bytes = std::fs::read(out.join(name)).unwrap();
        assert_eq!(&bytes[1..4], b"PNG", "{name}");
    }
    // Same inputs, same bytes.
    let again = d.path().join("again");
    let r2 = study_into(&again);
    assert_eq!(r2.code, 0);
    assert_eq!(
        std::fs::read(out.join("summary.csv")).unwrap(),
        std::fs::read(again.join("summary.csv")).unwrap()
    );
}

#[test]
fn bad_study_input_exits_2_naming_it() {
    let r = ironhedge(&["study", "events", "strategies/flagship.toml", "--signal", "rsi_below"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("expected `rsi_below:<number>`"), "{}", r.stderr);
    let r = ironhedge(&["study", "events", "strategies/flagship.toml", "--signal", "calendar:FOMC"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("needs --calendar"), "{}", r.stderr);
    let r = ironhedge(&[
        "study",
        "events",
        "strategies/flagship.toml",
        "--signal",
        "calendar:FOMC",
        "--calendar",
        "tests/fixtures/calendar/bad_time.csv",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("bad_time.csv")
            && r.stderr.contains("line 3")
            && r.stderr.contains("HH:MM")
            && r.stderr.contains("25:00"),
        "{}",
        r.stderr
    );
}

/// The calendar as a rule signal: no new condor within 2 sessions before an FOMC statement.
#[test]
fn a_rule_skips_entries_before_fomc() {
    let d = tempfile::tempdir().unwrap();
    let base = crate::common::weekly_condor_base();
    let cal = format!("{}/tests/fixtures/calendar/fomc_2016.csv", env!("CARGO_MANIFEST_DIR"));
    let rules = format!(
        "\n[signals]\ncalendar = \"{cal}\"\ncalendar_events = [\"FOMC\"]\n\n[[rules]]\nall = [{{ signal = \"sessions_to_event\", op = \"<=\", value = 2 }}]\naction = \"skip_entry\"\n"
    );
    let with = d.path().join("with.toml");
    std::fs::write(&with, format!("{base}{rules}")).unwrap();
    let without = d.path().join("without.toml");
    std::fs::write(&without, &base).unwrap();
    let trades = |s: &std::path::Path, out: &str| {
        let dir = d.path().join(out);
        let r = ironhedge(&[
            "run",
            s.to_str().unwrap(),
            "--from",
            "2016-01-01",
            "--to",
            "2016-12-30",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let run = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        let (head, rows) = read_csv(&run.join("trades.csv"));
        let c = head.iter().position(|h| h == "entry_date").unwrap();
        rows.iter().map(|r| r[c].clone()).collect::<Vec<_>>()
    };
    let (a, b) = (trades(&with, "with"), trades(&without, "without"));
    // Mondays two sessions before a Wednesday FOMC statement: entries without the rule, none with it.
    for day in ["2016-03-14", "2016-06-13", "2016-07-25", "2016-09-19", "2016-10-31"] {
        assert!(b.contains(&day.to_string()), "{day}: {b:?}");
        assert!(!a.contains(&day.to_string()), "{day} is 2 sessions before an FOMC statement: {a:?}");
    }
    assert!(a.len() < b.len(), "{} vs {}", a.len(), b.len());
}
