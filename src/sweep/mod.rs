//! Parameter sweeps: the `[sweep]` specification ([`spec`]), the results table and its
//! checkpoint ([`table`]) and its numbers ([`number`]), the parallel, resumable, shardable
//! runner ([`runner`]) and how it splits the work between threads ([`groups`]), and what comes
//! after - the top N re-run in full and the sweep charts ([`report`]).

pub mod groups;
pub mod number;
pub mod report;
pub mod runner;
pub mod spec;
pub mod table;
pub mod walk;

pub use report::{draw_sweep_charts, heatmap_from_results, ranked, write_top, HeatmapError, HeatmapRequest};
pub use runner::{fingerprint, merge, origin, run_one, run_sweep, SweepError, SweepOptions, SweepOutcome};
pub use spec::{parse, Combos, SpecError, SweepSpec};
pub use table::{Row, METRICS};
pub use walk::{stitch, walk_forward, WalkError, WalkSpec, Window};
