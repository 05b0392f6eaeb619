#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 20) from the committed corpus, on stable Rust with
# cargo-fuzz (`cargo install cargo-fuzz --locked`). New inputs go to a scratch corpus, so the
# committed one is only read. Stops at the first crash, which libFuzzer saves under
# fuzz/artifacts/<target>/ (see fuzz/README.md for turning it into a regression test).
# Usage, from anywhere: bash fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

cargo fuzz build --sanitizer none
for t in "${targets[@]}"; do
  case "$t" in
    csv_import) dict=fuzz/dict/csv.dict ;;
    node_forms | hub_forms) dict=fuzz/dict/forms.dict ;;
    *) dict=fuzz/dict/protocol.dict ;;
  esac
  mkdir -p "$scratch/$t"
  echo "--- $t: ${seconds}s"
  # -timeout: an input taking longer than 10 s is a failure too (a hang on outside bytes).
  if ! cargo fuzz run --sanitizer none "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -dict="$dict" \
    -print_final_stats=1 >"$scratch/$t.log" 2>&1; then
    tail -n 80 "$scratch/$t.log" >&2
    echo "fuzz target $t failed: the input is in fuzz/artifacts/$t/ (see fuzz/README.md)" >&2
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$scratch/$t.log" || true
done
