#!/usr/bin/env bash
# Fuzzing (`make fuzz`, not part of `make test`): runs each cargo-fuzz target in fuzz/ for
# FUZZ_SECONDS (default 60) and prints, per target, the inputs run, inputs per second, the
# corpus size and the slowest input; then the totals. Stops with status 1 if any target
# found a panic or an input slower than FUZZ_TIMEOUT seconds (default 1); libFuzzer saves
# it under fuzz/artifacts/<target>/ and `cargo +nightly fuzz run <target> <file>` replays it.
#
#   .ci/fuzz.sh [SECONDS] [TARGET...]      e.g. .ci/fuzz.sh 300 program
#
# Needs nightly and cargo-fuzz (`rustup toolchain install nightly --profile minimal`,
# `cargo install cargo-fuzz`). Corpora grow in fuzz/corpus/<target> (git-ignored), seeded
# from fuzz/seeds/<target> and, for programs, the worked examples. FUZZ_SANITIZER picks
# cargo-fuzz's sanitizer (default none: the code is safe Rust, and this runs several times
# faster than under AddressSanitizer; set it to `address` to check the unsafe parts too).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

seconds="${1:-${FUZZ_SECONDS:-60}}"
shift || true
timeout="${FUZZ_TIMEOUT:-1}"
sanitizer="${FUZZ_SANITIZER:-none}"

command -v cargo-fuzz >/dev/null || { echo "fuzz: cargo-fuzz not found (cargo install cargo-fuzz)" >&2; exit 1; }
rustup run nightly rustc --version >/dev/null 2>&1 || { echo "fuzz: no nightly toolchain (rustup toolchain install nightly --profile minimal)" >&2; exit 1; }

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

fuzz=(cargo +nightly fuzz run --release --debug-assertions --sanitizer "$sanitizer")
cargo +nightly fuzz build --release --debug-assertions --sanitizer "$sanitizer"

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
failed=()
rows=()
total_inputs=0
for target in "${targets[@]}"; do
    corpus="fuzz/corpus/$target"
    mkdir -p "$corpus" "fuzz/artifacts/$target"
    seeds=()
    [[ -d "fuzz/seeds/$target" ]] && seeds+=("fuzz/seeds/$target")
    [[ "$target" == program ]] && seeds+=(www/examples)
    echo "fuzz: $target for ${seconds}s" >&2
    status=0
    "${fuzz[@]}" "$target" "$corpus" "${seeds[@]}" -- \
        -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=4096 \
        -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$target/" \
        >"$logs/$target" 2>&1 || status=$?
    stat() { sed -n "s/^stat::$1: *//p" "$logs/$target" | tail -1; }
    inputs="$(stat number_of_executed_units)"
    inputs="${inputs:-0}"
    time="$(stat total_time)"  # absent in older libFuzzers: fall back to the asked time
    rate=$(awk -v n="$inputs" -v t="${time:-$seconds}" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
    slowest="$(stat slowest_unit_time_sec)"
    corpus_size=$(find "$corpus" -type f | wc -l)
    total_inputs=$((total_inputs + inputs))
    rows+=("$(printf '%-14s %12s %10s %8s %10s' "$target" "$inputs" "$rate" "$corpus_size" "${slowest:-?}")")
    if [[ $status -ne 0 ]]; then
        failed+=("$target")
        echo "fuzz: $target FAILED (status $status); the end of its log:" >&2
        tail -40 "$logs/$target" >&2
    fi
done

echo
printf '%-14s %12s %10s %8s %10s\n' target inputs inputs/s corpus slowest/s
printf '%s\n' "${rows[@]}"
echo "total: $total_inputs inputs in ${#targets[@]} targets, ${seconds}s each"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: failures in ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
