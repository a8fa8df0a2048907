#!/usr/bin/env bash
# Seed the fuzz corpora (git-ignored) from the repository's fixtures and strategies, and from the
# real files in ../shared/datasets when present (their first 200 lines: never committed).
set -euo pipefail
cd "$(dirname "$0")"
for t in data_csv data_parquet import strategy overrides sweep_spec; do mkdir -p corpus/$t; done
cp ../tests/fixtures/canonical/*.csv ../tests/fixtures/bad/*.csv ../tests/fixtures/chain/*.csv ../tests/corpus/*.csv corpus/data_csv/ 2>/dev/null || true
cp ../tests/corpus/*.parquet corpus/data_parquet/ 2>/dev/null || true
for f in ../tests/fixtures/import/*; do cp "$f" "corpus/import/$(basename "$f")"; done
# The chain fixtures behind the byte that picks their format (ImportFormat::ALL: optionsdx 6,
# cboe-datashop 7, historicaloptiondata 8).
for f in ../tests/fixtures/import/optionsdx_* ../tests/fixtures/import/datashop_* ../tests/fixtures/import/hod_*; do
  case "$(basename "$f")" in optionsdx_*) b=06 ;; datashop_*) b=07 ;; *) b=08 ;; esac
  { printf "\x$b"; cat "$f"; } > "corpus/import/picked-$(basename "$f")"
done
if [ -d ../../shared/datasets/chains ]; then
  for f in ../../shared/datasets/chains/*; do
    case "$(basename "$f")" in *optionsdx*) b=06 ;; *datashop*) b=07 ;; *) b=08 ;; esac
    { printf "\x$b"; head -200 "$f"; } > "corpus/import/shared-chain-$(basename "$f")"
  done
fi
cp ../strategies/*.toml ../tests/corpus/*.toml corpus/strategy/
printf 'condor.short_put.value=0.12\nhedge.layers.0.share=0.4\n' > corpus/overrides/seed1
printf 'objective = "sharpe"\n[sweep.params]\n"condor.wing.value" = [25.0, 50.0]\n' > corpus/sweep_spec/seed1
shared=../../shared/datasets
if [ -d "$shared" ]; then
  for f in "$shared"/*.csv; do head -200 "$f" > "corpus/data_csv/shared-$(basename "$f")"; done
  i=0
  for f in "$shared"/*.csv; do
    i=$((i + 1)); { printf "\\x$(printf %02x $((i % 6)))"; head -100 "$f"; } > "corpus/import/shared-$(basename "$f")"
  done
else
  echo "note: $shared absent: seeding from the repository only"
fi
echo "seeded: $(find corpus -type f | wc -l) files"
