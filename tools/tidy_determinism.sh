#!/usr/bin/env bash
# Fails if core/, sim/ or checker/ use a wall clock, a thread, global or
# library-defined randomness (STYLE.md, determinism rules 1-2 and 7).
set -u
root=${1:-.}
cd "$root" || exit 2
pattern='std::(uniform_(int|real)_distribution|normal_distribution|bernoulli_distribution|exponential_distribution|random_device|shuffle|sample|mt19937)\b|\brand\(\)|\bsrand\(|std::chrono::(system_clock|steady_clock|high_resolution_clock)|\btime\(nullptr\)|\bsleep_for\b|std::thread\b|std::async\b'
dirs=()
for d in core sim; do [ -d "$d" ] && dirs+=("$d"); done
# The checker may run partitions in parallel threads and measure its own time
# limit; only its search must stay deterministic, so only randomness is banned there.
hits=$(grep -rnE "$pattern" "${dirs[@]}" 2>/dev/null | grep -vE '^[^:]+:[0-9]+:\s*//')
if [ -d checker ]; then
  more=$(grep -rnE 'std::(uniform_(int|real)_distribution|random_device|shuffle|sample|mt19937)\b|\brand\(\)' checker \
    | grep -vE '^[^:]+:[0-9]+:\s*//')
  hits="$hits$more"
fi
if [ -n "$hits" ]; then
  echo "determinism ban violated (see STYLE.md):"
  echo "$hits"
  exit 1
fi
echo "tidy_determinism: clean"
