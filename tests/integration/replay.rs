//! Replay properties: total deterministic order, nothing lost, and no look-ahead - truncating every
//! input after time T changes nothing emitted up to T.

use ironhedge::data::BarSeries;
use ironhedge::replay::{Event, EventClass, Payload, Replay, ReplayError, Source};
use ironhedge::time::Timestamp;
use proptest::prelude::*;
use std::sync::Arc;

fn ts(s: i64) -> Timestamp {
    Timestamp::from_nanos(s * 1_000_000_000)
}

fn bars(times: &[i64]) -> Source {
    let n = times.len();
    let v: Vec<f64> = (0..n).map(|i| 100.0 + i as f64).collect();
    Source::Bars(Arc::new(BarSeries {
        daily: true,
        start: times.iter().map(|&t| ts(t)).collect(),
        known_at: times.iter().map(|&t| ts(t)).collect(),
        open: v.clone(),
        high: v.clone(),
        low: v.clone(),
        close: v,
        ..Default::default()
    }))
}

fn schedule(times: &[i64], class: EventClass) -> Source {
    Source::Schedule(Arc::new(times.iter().map(|&t| ts(t)).collect()), class)
}

/// Streams given as sorted second offsets; stream 0 is bars, the others schedules of each class.
fn build(streams: &[Vec<i64>], cut: Option<i64>) -> Vec<Source> {
    let classes = [EventClass::Decision, EventClass::MarketData, EventClass::Settlement];
    streams
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let s: Vec<i64> = s.iter().copied().filter(|t| cut.is_none_or(|c| *t <= c)).collect();
            if k == 0 {
                bars(&s)
            } else {
                schedule(&s, classes[k % 3])
            }
        })
        .collect()
}

fn run(sources: Vec<Source>) -> Vec<Event> {
    Replay::new(sources).unwrap().collect()
}

fn sorted_vec() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(0i64..40, 0..30).prop_map(|mut v| {
        v.sort();
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn order_is_total_strict_and_loses_nothing(streams in prop::collection::vec(sorted_vec(), 1..6)) {
        let events = run(build(&streams, None));
        prop_assert_eq!(events.len(), streams.iter().map(Vec::len).sum::<usize>());
        for w in events.windows(2) {
            prop_assert!(w[0].key() < w[1].key(), "{:?} !< {:?}", w[0].key(), w[1].key());
        }
        for (k, s) in streams.iter().enumerate() {
            let seqs: Vec<u32> = events.iter().filter(|e| e.stream as usize == k).map(|e| e.seq).collect();
            prop_assert_eq!(seqs, (0..s.len() as u32).collect::<Vec<_>>());
        }
    }

    #[test]
    fn truncating_after_t_changes_nothing_up_to_t(streams in prop::collection::vec(sorted_vec(), 1..6), cut in 0i64..40) {
        let full: Vec<Event> = run(build(&streams, None)).into_iter().take_while(|e| e.ts <= ts(cut)).collect();
        let truncated = run(build(&streams, Some(cut)));
        prop_assert_eq!(full, truncated);
    }

    #[test]
    fn same_inputs_same_events(streams in prop::collection::vec(sorted_vec(), 1..6)) {
        prop_assert_eq!(run(build(&streams, None)), run(build(&streams, None)));
    }
}

#[test]
fn ties_break_by_class_then_stream_then_sequence() {
    // All at t = 5: a decision stream registered first must still come after market data and
    // settlement; two market-data streams keep registration order; rows keep file order.
    let sources = vec![
        schedule(&[5], EventClass::Decision),
        bars(&[5, 5]),
        schedule(&[5], EventClass::Settlement),
        bars(&[5]),
    ];
    let got: Vec<(u16, u32)> = run(sources).iter().map(|e| (e.stream, e.seq)).collect();
    assert_eq!(got, vec![(1, 0), (1, 1), (3, 0), (2, 0), (0, 0)]);
}

#[test]
fn payloads_are_copied_from_the_right_rows() {
    let events = run(vec![bars(&[1, 2])]);
    assert_eq!(events[1].payload, Payload::Bar { open: 101.0, high: 101.0, low: 101.0, close: 101.0 });
}

#[test]
fn unsorted_input_is_refused() {
    let e = Replay::new(vec![bars(&[1, 2]), bars(&[3, 1])]).unwrap_err();
    assert_eq!(e, ReplayError::Unsorted { stream: 1, row: 1, previous: ts(3), found: ts(1) });
    assert!(e.to_string().starts_with("stream 1: row 1"));
}
