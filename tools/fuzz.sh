#!/usr/bin/env bash
# Runs every libFuzzer target of a `make fuzz-build` tree, starting from its
# checked-in corpus (tests/fuzz/corpus/TARGET; new inputs go to
# BUILD/fuzz-corpus/TARGET, the checked-in one is never written), and prints
# one line per target: executions, CPU seconds, coverage, corpus size and
# crashes.
#
#   tools/fuzz.sh BUILD_DIR [SECONDS]        (make fuzz FUZZ_SECONDS=60)
#
# Environment, for the long campaign (make fuzz-campaign):
#   FUZZ_RUNS=N         stop a target after N executions (libFuzzer -runs);
#   FUZZ_CPU_SECONDS=S  ... or after S seconds of its own CPU time, whichever
#                       comes first (SECONDS stays a wall-clock ceiling). CPU
#                       time, not wall time, so a campaign run at low
#                       priority beside a build is measured fairly;
#   FUZZ_TARGETS="a b"  only these targets (names without fuzz_).
#
# Exit 0: no target crashed; 1: one did (its reproducer is in
# BUILD/fuzz-crashes/TARGET/); 2: usage, or no targets built.
set -u
build=${1:?usage: tools/fuzz.sh BUILD_DIR [SECONDS]}
seconds=${2:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
targets=$(ls "$build"/tests/fuzz/fuzz_* 2>/dev/null)
[ -n "$targets" ] || { echo "tools/fuzz.sh: no fuzz targets in $build/tests/fuzz (make fuzz-build)" >&2; exit 2; }
tick=$(getconf CLK_TCK)

# CPU seconds (user + system) a live process has used so far.
cpu_seconds() {
  # Fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends
  # the command name (which may itself hold spaces).
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  stat=${stat##*) }
  set -- $stat
  echo $(( (${12} + ${13}) / tick ))
}

status=0
printf "%-20s %12s %8s %8s %8s %8s %s\n" target executions cpu_s exec/s cov ft "corpus crashes"
for bin in $targets; do
  name=${bin##*/fuzz_}
  if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $name "* ]]; then continue; fi
  work="$build/fuzz-corpus/$name"
  crashes="$build/fuzz-crashes/$name"
  log="$build/fuzz-$name.log"
  mkdir -p "$work" "$crashes"
  args=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$crashes/")
  [ -n "${FUZZ_RUNS:-}" ] && args+=(-runs="$FUZZ_RUNS")
  [ -f "$src/tests/fuzz/dict/$name.dict" ] && args+=(-dict="$src/tests/fuzz/dict/$name.dict")
  "$bin" "${args[@]}" "$work" "$src/tests/fuzz/corpus/$name" > "$log" 2>&1 &
  pid=$!
  used=0
  # Watch the target's own CPU time; SIGINT makes libFuzzer stop cleanly
  # and print its final statistics.
  while kill -0 "$pid" 2>/dev/null; do
    used=$(cpu_seconds "$pid")
    if [ -n "${FUZZ_CPU_SECONDS:-}" ] && [ "$used" -ge "$FUZZ_CPU_SECONDS" ]; then
      kill -INT "$pid" 2>/dev/null
      break
    fi
    sleep 1
  done
  wait "$pid"
  rc=$?
  [ "$rc" = 130 ] || [ "$rc" = 72 ] && [ -n "${FUZZ_CPU_SECONDS:-}" ] && rc=0  # our own SIGINT
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  found=$(find "$crashes" -type f | wc -l)
  rate="?"
  [ -n "$runs" ] && [ "$used" -gt 0 ] && rate=$(( runs / used ))
  printf "%-20s %12s %8s %8s %8s %8s %6s %s\n" "$name" "${runs:-?}" "$used" "$rate" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$found"
  if [ "$rc" != 0 ] || [ "$found" != 0 ]; then
    status=1
    echo "  $name: exit $rc; log $log; reproducers in $crashes/" >&2
  fi
done
exit $status
