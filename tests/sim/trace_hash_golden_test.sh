#!/usr/bin/env bash
# Golden trace hashes: the same scenario and seed give the same trace hash in
# every build. CI runs this test in the release build, the debug ASan+UBSan
# build and the clang build against one golden file, so a hash that depends
# on the compiler, the optimisation level or pointer values fails here.
# After an intended behaviour change: REWRITE=1 ctest -R trace_hash_golden.
set -u
raftlab=$1
root=$2
golden=$root/tests/testdata/sim/trace_hashes.txt
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
while read -r scenario seed _; do
  case $scenario in ''|'#'*) continue ;; esac
  hash=$("$raftlab" replay "$root/$scenario" --seed "$seed" --trace /dev/null 2>&1 |
         sed -n 's/.* trace hash \([0-9a-f]*\)$/\1/p')
  if [ -z "$hash" ]; then
    echo "FAIL: no trace hash from raftlab replay $scenario --seed $seed"
    exit 1
  fi
  echo "$scenario $seed $hash" >> "$actual"
done < "$golden"
if [ -n "${REWRITE:-}" ]; then
  { grep '^#' "$golden"; cat "$actual"; } > "$golden.new" && mv "$golden.new" "$golden"
  echo "rewrote $golden"
  exit 0
fi
if ! diff <(grep -v '^#' "$golden") "$actual"; then
  echo "FAIL: trace hashes differ from $golden (lines with < are expected, > are actual)"
  exit 1
fi
echo "ok: $(wc -l < "$actual") trace hashes match $golden"
