#!/usr/bin/env python3
"""Interleaved A/B timing of ironhedge binaries on the condor-grid sweep.

Usage (from the repository root; needs ../shared):
    python3 benches/ab_grid.py RUNS BIN_A BIN_B [BIN_C ...]

Runs `BIN sweep benches/condor_grid.toml --out <tmp> --quiet` for each binary in turn, RUNS rounds,
so that the machine's drift hits every binary alike, and prints each binary's median and minimum
wall time and CPU time (user + system) in ms. Extra sweep arguments: ARGS="--jobs 1" etc.
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs, bins = int(sys.argv[1]), sys.argv[2:]
    extra = os.environ.get("ARGS", "").split()
    toml = os.path.join(os.path.dirname(os.path.abspath(__file__)), "condor_grid.toml")
    times = {b: ([], []) for b in bins}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            for b in bins:
                out = os.path.join(tmp, "out")
                shutil.rmtree(out, ignore_errors=True)
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                subprocess.run([b, "sweep", toml, "--out", out, "--quiet", *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                t1 = time.perf_counter()
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                times[b][0].append((t1 - t0) * 1000)
                times[b][1].append(cpu * 1000)
    for b in bins:
        wall, cpu = times[b]
        print(f"{b}: wall median {statistics.median(wall):.1f} min {min(wall):.1f} ms; "
              f"cpu median {statistics.median(cpu):.1f} min {min(cpu):.1f} ms")


if __name__ == "__main__":
    main()
