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
and prints each one's wall time and peak RSS. The quotes are SYNTHETIC (a smooth smile around
SPX, spreads of 1-5% of the mid): they exercise the formats and the engine, not the market. With
`../shared/datasets` present, SPX follows its real 2023 closes (else a random walk) and a weekly
45-DTE condor strategy over 2023 is run twice, at the chain's quotes and on the model:
    ironhedge run DIR/chain_2023.toml    ironhedge run DIR/model_2023.toml
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


SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "datasets")


def real_closes():
    """The real SPX closes of 2023 by date, when ../shared/datasets is present."""
    path = os.path.join(SHARED, "spx_daily_1990_2026.csv")
    if not os.path.exists(path):
        return None
    closes = {}
    with open(path) as f:
        next(f)
        for line in f:
            date, *_, close = line.strip().split(",")
            if date.startswith("2023"):
                closes[dt.date.fromisoformat(date)] = float(close)
    return closes


def write_year(path, closes, seed=7):
    rng = random.Random(seed)
    days = sorted(closes) if closes else list(weekdays(dt.date(2023, 1, 3), dt.date(2023, 12, 29)))
    spot, rows = 3850.0, 0
    with open(path, "w") as f:
        f.write(HEADER + "\n")
        for d in days:
            spot = closes[d] if closes else spot * math.exp(rng.gauss(0.0, 0.01))
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
    closes = real_closes()
    rows = write_year(src, closes)
    print(f"{src}: {rows} strike rows ({2 * rows} quotes), {os.path.getsize(src) / 2**20:.0f} MB")
    for out in ("year.parquet", "year.csv"):
        timed([binary, "data", "import", "--format", "optionsdx", src, "--out", os.path.join(folder, out)])
    timed([binary, "data", "check", os.path.join(folder, "year.parquet")])
    if closes:
        for name, chain in (("chain_2023", os.path.join(folder, "year.parquet")), ("model_2023", None)):
            toml = os.path.join(folder, f"{name}.toml")
            with open(toml, "w") as f:
                f.write(STRATEGY.format(name=name, shared=os.path.abspath(SHARED)))
                if chain:
                    f.write(f'spx_chain = "{chain}"\n')
            timed([binary, "run", toml, "--out", os.path.join(folder, "runs")])


STRATEGY = """[strategy]
name = "{name}"
[dates]
start = 2023-01-03
end = 2023-12-29
[condor]
entry = "weekday"
weekday = "mon"
target_dte_days = 45
short_put = {{ by = "delta", value = 0.16 }}
short_call = {{ by = "delta", value = 0.16 }}
wing = {{ by = "width", value = 50.0 }}
sizing = {{ by = "contracts", value = 1 }}
max_concurrent = 3
profit_target_pct = 50.0
stop_loss_multiple = 2.0
exit_dte_days = 21
[data]
spx = "{shared}/spx_daily_1990_2026.csv"
vix = "{shared}/vix_daily_1990_2026.csv"
"""


if __name__ == "__main__":
    main()
