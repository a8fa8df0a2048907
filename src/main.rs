//! The `ironhedge` binary: parses the command line and hands over to the library.

mod cli;

/// mimalloc, not the system allocator: a sweep allocates and frees many small per-combination
/// buffers while its memos hold tens of MB; mimalloc reuses freed memory per thread instead of
/// page-faulting fresh heap in (on the condor grid: 5,100 -> 860 page faults at 1.6 us each on
/// the 2-core machine, -8 ms of CPU; the 101,000-combination sweep 6.5 -> 5.9 s, peak RSS 285
/// -> 333 MB).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's option setter (`mimalloc.h`), from the library the `mimalloc` crate links in.
unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in `mimalloc.h`'s `mi_option_e` (the same in its v2 and v3).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

fn main() -> std::process::ExitCode {
    // Freed memory stays mapped for reuse instead of being handed back to the kernel: handing it
    // back (48.9 MiB over the condor grid) means faulting and zeroing it again on reuse. Peak
    // memory is what a run holds at once either way. Condor grid: -1.3 ms median, -1 ms of CPU
    // (`python3 benches/ab_grid.py`, 30 rounds, against MIMALLOC_PURGE_DELAY unset).
    // SAFETY: mi_option_set only records an option value; it is safe to call at any time.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    cli::run()
}
