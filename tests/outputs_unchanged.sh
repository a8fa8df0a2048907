#!/usr/bin/env bash
# Checks that a code change leaves every number ironhedge writes unchanged.
#
#   tests/outputs_unchanged.sh capture BINARY DIR   run BINARY over the bundled workloads into DIR
#   tests/outputs_unchanged.sh compare OLD NEW      compare two captures
#
# The workloads: every strategy in strategies/ (those needing ../shared, or the January 2018 chain
# imported from it into results/chains/, only when it is present),
# the condor-grid and flagship sweeps, the cascade event study (with ../shared), and walk-forward (rolling and anchored) on
# weekly_condor.toml. `compare` requires CSV, Parquet and TOML files to be byte-identical, every
# JSON value to be the same number (formatting may differ), and lists the PNGs that differ.
# Needs python3 (for the JSON comparison). Exit 0 when nothing differs but PNGs, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

capture() {
    local bin=$1 out=$2
    rm -rf "$out" && mkdir -p "$out"
    local chain=results/chains/spxw_2018-01.csv
    if [ ! -f "$chain" ] && [ -d ../shared/datasets ]; then
        "$bin" data import --format historicaloptiondata \
            ../shared/datasets/chains/spxw_eod_2018-01_historicaloptiondata.csv --out "$chain" >/dev/null 2>&1
    fi
    for s in strategies/*.toml; do
        local name
        name=$(basename "$s" .toml)
        if grep -q '\.\./\.\./shared' "$s" && [ ! -d ../shared/datasets ]; then
            echo "skip $name (needs ../shared)"
            continue
        fi
        if grep -q 'results/chains/' "$s" && [ ! -f "$chain" ]; then
            echo "skip $name (needs $chain, imported from ../shared)"
            continue
        fi
        "$bin" run "$s" --out "$out/run-$name" >"$out/run-$name.txt" 2>&1
    done
    "$bin" sweep benches/condor_grid.toml --out "$out/condor-grid" --quiet >/dev/null
    rm -f "$out"/condor-grid/rows.csv
    "$bin" walk-forward strategies/weekly_condor.toml --train-days 252 --test-days 126 \
        --out "$out/walk-rolling" >/dev/null
    "$bin" walk-forward strategies/weekly_condor.toml --train-days 252 --test-days 126 --anchored \
        --out "$out/walk-anchored" >/dev/null
    "$bin" sweep strategies/flagship.toml --out "$out/flagship-sweep" --quiet >/dev/null
    rm -f "$out"/flagship-sweep/rows.csv
    if [ -d ../shared/datasets ]; then
        "$bin" study events strategies/study_cascades_2021_2025.toml --signal cascade \
            --signal term_inversion --out "$out/study" >/dev/null
    fi
    echo "captured $(find "$out" -type f | wc -l) files in $out"
}

compare() {
    local old=$1 new=$2 bad=0
    diff <(cd "$old" && find . -type f ! -name '*.txt' | sort) \
        <(cd "$new" && find . -type f ! -name '*.txt' | sort) || bad=1
    while IFS= read -r f; do
        [ -f "$new/$f" ] || continue
        case "$f" in
        *.png) cmp -s "$old/$f" "$new/$f" || echo "png differs: $f" ;;
        *.json)
            python3 - "$old/$f" "$new/$f" <<'EOF' || { echo "JSON values differ: $f"; bad=1; }
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if a == b else 1)
EOF
            ;;
        *) cmp -s "$old/$f" "$new/$f" || { echo "bytes differ: $f"; bad=1; } ;;
        esac
    done < <(cd "$old" && find . -type f ! -name '*.txt' | sort)
    local n
    n=$(cd "$old" && find . -type f ! -name '*.txt' ! -name '*.png' | wc -l)
    if [ $bad = 0 ]; then echo "unchanged: $n CSV, Parquet, TOML and JSON files"; fi
    return $bad
}

case "${1:-}" in
capture) capture "$2" "$3" ;;
compare) compare "$2" "$3" ;;
*) sed -n '2,12p' "$0"; exit 2 ;;
esac
