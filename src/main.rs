//! The `ironhedge` binary: parses the command line and hands over to the library.

mod cli;

fn main() -> std::process::ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // A sweep builds and frees tens of MB of shared prices per group of combinations; glibc's
        // defaults hand freed memory back to the kernel at once and page-fault it in again (8% of
        // the condor grid's time). Keep up to 512 MB of freed heap for reuse instead.
        // SAFETY: mallopt only tunes the allocator; called before any thread starts.
        unsafe {
            libc::mallopt(libc::M_TRIM_THRESHOLD, 512 << 20);
            libc::mallopt(libc::M_TOP_PAD, 64 << 20);
            libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20);
        }
    }
    cli::run()
}
