#!/usr/bin/env python3
"""How far the default model's prices are from real option quotes (docs/MODEL.md).

Usage (from the repository root; needs ../shared and a release build):
    python3 benches/chain_error.py [BINARY]

For every OTM quote with a bid, 5-60 calendar days to expiry and a mid of at least $0.10 in the real
chains of ../shared/datasets/chains, runs `ironhedge price --date D --json` (the default surface from
VIX alone, or Black-76 on the listed VX future with that day's VVIX for VIX options) on the chain's
own underlying, and prints per chain, type and delta bucket the number of quotes, the median
absolute error and the median bias of (model - mid) / mid. Buckets use the chain's own delta where
it has one, else the model's. SPX options take the strategies' default rate (2%) and dividend
yield (1.5%).
"""
import csv
import datetime as dt
import json
import statistics
import subprocess
import sys

SHARED = "../shared/datasets"
CHAINS = SHARED + "/chains"
SPX_BUCKETS = [(0.02, 0.05), (0.05, 0.10), (0.10, 0.20), (0.20, 0.30), (0.30, 0.50)]
VIX_BUCKETS = [(0.0, 0.10), (0.10, 0.30), (0.30, 0.70)]


def price(binary, args):
    out = subprocess.run([binary, "price", "--json", *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def day(text, fmt):
    return dt.datetime.strptime(text.strip(), fmt).date()


def spx_quotes_2018():
    """The January 2018 SPXW chain (HistoricalOptionData layout): its own delta and underlying."""
    with open(CHAINS + "/spxw_eod_2018-01_historicaloptiondata.csv", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f, skipinitialspace=True):
            yield {
                "date": day(r["quotedate"], "%m/%d/%Y"),
                "expiry": day(r["expiration"], "%m/%d/%Y"),
                "type": r["type"],
                "strike": float(r["strike"]),
                "bid": float(r["bid"]),
                "ask": float(r["ask"]),
                "underlying": float(r["underlying_last"]),
                "delta": abs(float(r["delta"])),
            }


def spx_quotes_2019():
    """The 2019-06-26 SPXW chain (Cboe DataShop, 15:45 quotes): no delta; the underlying mid."""
    with open(CHAINS + "/spxw_2019-06-26_1545_cboe_datashop.csv", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            yield {
                "date": day(r["quote_date"], "%Y-%m-%d"),
                "expiry": day(r["expiration"], "%Y-%m-%d"),
                "type": "call" if r["option_type"] == "C" else "put",
                "strike": float(r["strike"]),
                "bid": float(r["bid_1545"]),
                "ask": float(r["ask_1545"]),
                "underlying": (float(r["underlying_bid_1545"]) + float(r["underlying_ask_1545"])) / 2,
                "delta": None,
            }


def usable(q):
    days = (q["expiry"] - q["date"]).days
    mid = (q["bid"] + q["ask"]) / 2
    otm = q["strike"] > q["underlying"] if q["type"] == "call" else q["strike"] < q["underlying"]
    return otm and q["bid"] > 0 and 5 <= days <= 60 and mid >= 0.10


def spx_errors(binary, quotes):
    rows = []
    for q in filter(usable, quotes):
        days = (q["expiry"] - q["date"]).days
        p = price(binary, [
            "--type", q["type"], "--strike", str(q["strike"]), "--days", str(days),
            "--date", str(q["date"]), "--spot", str(q["underlying"]), "--rate", "0.02", "--div", "0.015",
            "--spx", SHARED + "/spx_daily_1990_2026.csv", "--vix", SHARED + "/vix_daily_1990_2026.csv",
        ])
        mid = (q["bid"] + q["ask"]) / 2
        delta = q["delta"] if q["delta"] is not None else abs(p["delta"])
        rows.append((q["type"], delta, (p["price"] - mid) / mid))
    return rows


def vix_errors(binary):
    rows = []
    with open(CHAINS + "/vix_eod_2016-06-01_cboe_datashop.csv") as f:
        for r in csv.DictReader(f):
            date, expiry = day(r["quote_date"], "%Y-%m-%d"), day(r["expiration"], "%Y-%m-%d")
            bid, ask, days = float(r["bid_eod"]), float(r["ask_eod"]), (expiry - date).days
            mid = (bid + ask) / 2
            if r["option_type"] != "C" or bid <= 0 or not 5 <= days <= 60 or mid < 0.10:
                continue
            p = price(binary, [
                "--model", "black76", "--type", "call", "--strike", r["strike"], "--days", str(days),
                "--date", str(date), "--vix", SHARED + "/vix_daily_1990_2026.csv",
                "--vvix", SHARED + "/vvix_daily_2006_2026.csv",
                "--vx-term", SHARED + "/vx_term_structure_m1_m7_2004_2024.csv",
            ])
            if float(r["strike"]) <= p["underlying"]:
                continue  # OTM calls only (strike above the expiry's future)
            rows.append(("call", abs(p["delta"]), (p["price"] - mid) / mid))
    return rows


def report(name, rows, buckets):
    print(f"\n{name}: {len(rows)} quotes")
    print(f"  {'type':<5} {'delta':<10} {'quotes':>6} {'median |err|':>13} {'median bias':>12}")
    for kind in ("put", "call"):
        for lo, hi in buckets:
            errs = [e for t, d, e in rows if t == kind and lo <= d < hi]
            if errs:
                mae = statistics.median(abs(e) for e in errs)
                bias = statistics.median(errs)
                print(f"  {kind:<5} {f'{lo:.2f}-{hi:.2f}':<10} {len(errs):>6} {mae:>12.1%} {bias:>+12.1%}")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/ironhedge"
    report("SPXW 2018-01 (VIX 9-11, one expiry)", spx_errors(binary, spx_quotes_2018()), SPX_BUCKETS)
    report("SPXW 2019-06-26 15:45 (VIX ~16)", spx_errors(binary, spx_quotes_2019()), SPX_BUCKETS)
    report("VIX options 2016-06-01 (calls)", vix_errors(binary), VIX_BUCKETS)


if __name__ == "__main__":
    main()
