#!/usr/bin/env python3
"""Scale benchmark for option chains: a synthetic year of a full SPXW EOD chain in the OptionsDX
layout (about 5 million call and put quotes), imported to Parquet and to CSV, then loaded.

Usage (from the repository root, after `cargo build --release`):
    python3 benches/chain_scale.py [DIR]

Writes DIR/optionsdx_year.txt (default: a temporary folder; about 1 GB), then runs under
`/usr/bin/time -v`:
    ironhedge data import --format optionsdx DIR/optionsdx_year.txt --out DIR/year.parquet
    ironhedge data import --format optionsdx DIR/optionsdx_year.txt --out DIR/year.csv
    ironhedge data check DIR/year.parquet
and prints each one's wall time and peak RSS. The quotes are SYNTHETIC (a smooth smile around a
random-walk SPX, spreads of 1-5% of the mid): they exercise the formats, not the market.
"""
import datetime as dt
import math
import os
import random
import re
import subprocess
import sys
import tempfile

HEADER = ("[QUOTE_UNIXTIME], [QUOTE_READTIME], [QUOTE_DATE], [QUOTE_TIME_HOURS], [UNDERLYING_LAST], "
          "[EXPIRE_DATE], [EXPIRE_UNIX], [DTE], [C_DELTA], [C_GAMMA], [C_VEGA], [C_THETA], [C_RHO], [C_IV], "
          "[C_VOLUME], [C_LAST], [C_SIZE], [C_BID], [C_ASK], [STRIKE], [P_BID], [P_ASK], [P_SIZE], [P_LAST], "
          "[P_DELTA], [P_GAMMA], [P_VEGA], [P_THETA], [P_RHO], [P_IV], [P_VOLUME], [STRIKE_DISTANCE], "
          "[STRIKE_DISTANCE_PCT]")


def weekdays(start, end):
    d = start
    while d <= end:
        if d.weekday() < 5:
            yield d
        d += dt.timedelta(days=1)


def write_year(path, seed=7):
    rng = random.Random(seed)
    days = list(weekdays(dt.date(2023, 1, 3), dt.date(2023, 12, 29)))
    spot, rows = 3850.0, 0
    with open(path, "w") as f:
        f.write(HEADER + "\n")
        for d in days:
            spot *= math.exp(rng.gauss(0.0, 0.01))
            # 40 expiries (the dailies of the next seven weeks, then monthlies to a year) x 250
            # strikes on the 5-point grid around spot: 10,000 strike rows, 20,000 quotes a day.
            expiries = [d + dt.timedelta(days=k) for k in list(range(1, 50)) + [60, 90, 120, 180, 270, 365]]
            expiries = [e for e in expiries if e.weekday() < 5][:34] + expiries[-6:]
            centre = int(spot / 5) * 5
            for e in expiries:
                t = (e - d).days / 365.0
                sd = 0.18 * math.sqrt(t) * spot
                for k in range(centre - 625, centre + 625, 5):
                    x = (k - spot) / sd
                    tv = 0.4 * sd * math.exp(-0.5 * x * x) + 0.05
                    call = max(spot - k, 0.0) + tv
                    put = call - (spot - k)
                    cs, ps = max(0.05, 0.02 * call), max(0.05, 0.02 * put)
                    f.write(
                        f"0, {d} 16:00, {d}, 16.000000, {spot:.2f}, {e}, 0, {(e - d).days}, 0.5, 0.001, 1.0, -0.5, 0.1, 0.18, "
                        f"10, {call:.2f}, 1 x 1, {max(call - cs, 0):.2f}, {call + cs:.2f}, {k}.000000, "
                        f"{max(put - ps, 0):.2f}, {put + ps:.2f}, 1 x 1, {put:.2f}, -0.5, 0.001, 1.0, -0.5, -0.1, 0.19, 10, "
                        f"{abs(k - spot):.2f}, {abs(k - spot) / spot:.6f}\n"
                    )
                    rows += 1
    return rows


def timed(args):
    out = subprocess.run(["/usr/bin/time", "-v", *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", out.stderr).group(1)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
    print(f"{' '.join(args[1:4])} ...: wall {wall}, peak RSS {rss / 1024:.0f} MB")


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()
    binary = os.environ.get("IRONHEDGE", "target/release/ironhedge")
    src = os.path.join(folder, "optionsdx_year.txt")
    rows = write_year(src)
    print(f"{src}: {rows} strike rows ({2 * rows} quotes), {os.path.getsize(src) / 2**20:.0f} MB")
    for out in ("year.parquet", "year.csv"):
        timed([binary, "data", "import", "--format", "optionsdx", src, "--out", os.path.join(folder, out)])
    timed([binary, "data", "check", os.path.join(folder, "year.parquet")])


if __name__ == "__main__":
    main()
