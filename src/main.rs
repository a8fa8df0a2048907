//! The `ironhedge` binary: sets up the allocator, parses the command line and hands over to the
//! library.

mod cli;

use libmimalloc_sys::{mi_option_set, mi_option_t};

/// mimalloc, not the system allocator: a sweep allocates and frees many small per-combination
/// buffers while its memos hold tens of MB; mimalloc reuses freed memory per thread instead of
/// page-faulting fresh heap in (on the condor grid: 5,100 -> 860 page faults at 1.6 us each on
/// the 2-core machine, -8 ms of CPU). See docs/PERFORMANCE.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` of `mi_option_e` in the vendored `mimalloc.h` (v2 and v3 alike). The
/// `libmimalloc-sys` crate declares `mi_option_set` but names only some options, not this one;
/// the test `purge_delay_is_the_option_mimalloc_documents` checks the number against the
/// option's default in the vendored mimalloc v3 (1000 ms, a default no other option has).
const MI_OPTION_PURGE_DELAY: mi_option_t = 15;

/// Freed memory stays mapped for reuse instead of being handed back to the kernel: handing it
/// back (48.9 MiB over the condor grid) means faulting and zeroing it again on reuse. Peak memory
/// is what a run holds at once either way (condor grid: -1.3 ms median, -1 ms of CPU).
fn keep_freed_memory_mapped() {
    // SAFETY: `mi_option_set` only records an option value; mimalloc allows it at any time.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

fn main() -> std::process::ExitCode {
    keep_freed_memory_mapped();
    cli::run()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_delay_is_the_option_mimalloc_documents() {
        // SAFETY: reading an option has no preconditions.
        let default_ms = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(default_ms, 1000, "mimalloc v3's purge delay defaults to 1000 ms");
        keep_freed_memory_mapped();
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }, -1);
    }
}
