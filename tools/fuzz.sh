#!/usr/bin/env bash
# Runs every libFuzzer target of a `make fuzz-build` tree for SECONDS each,
# starting from its checked-in corpus (tests/fuzz/corpus/TARGET; new inputs
# go to BUILD/fuzz-corpus/TARGET, the checked-in one is never written), and
# prints one line per target: executions, coverage, and crashes.
#
#   tools/fuzz.sh BUILD_DIR [SECONDS]        (make fuzz FUZZ_SECONDS=60)
#
# Exit 0: no target crashed; 1: one did (its reproducer is in
# BUILD/fuzz-crashes/TARGET/); 2: usage, or no targets built.
set -u
build=${1:?usage: tools/fuzz.sh BUILD_DIR [SECONDS]}
seconds=${2:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
targets=$(ls "$build"/tests/fuzz/fuzz_* 2>/dev/null)
[ -n "$targets" ] || { echo "tools/fuzz.sh: no fuzz targets in $build/tests/fuzz (make fuzz-build)" >&2; exit 2; }
status=0
printf "%-20s %12s %8s %8s %s\n" target executions cov ft crashes
for bin in $targets; do
  name=${bin##*/fuzz_}
  work="$build/fuzz-corpus/$name"
  crashes="$build/fuzz-crashes/$name"
  mkdir -p "$work" "$crashes"
  dict=()
  [ -f "$src/tests/fuzz/dict/$name.dict" ] && dict=(-dict="$src/tests/fuzz/dict/$name.dict")
  "$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$crashes/" \
    "${dict[@]}" "$work" "$src/tests/fuzz/corpus/$name" > "$build/fuzz-$name.log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-$name.log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$build/fuzz-$name.log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$build/fuzz-$name.log" | tail -1 | cut -d' ' -f2)
  found=$(find "$crashes" -type f | wc -l)
  printf "%-20s %12s %8s %8s %s\n" "$name" "${runs:-?}" "${cov:-?}" "${ft:-?}" "$found"
  if [ "$rc" != 0 ] || [ "$found" != 0 ]; then
    status=1
    echo "  $name: exit $rc; log $build/fuzz-$name.log; reproducers in $crashes/" >&2
  fi
done
exit $status
