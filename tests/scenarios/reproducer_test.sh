#!/usr/bin/env bash
# A bug-zoo reproducer must fail with its planted bug and pass without it.
set -u
raftlab=$1
file=$2
"$raftlab" run "$file" >/tmp/repro.$$ 2>&1
with=$?
"$raftlab" run "$file" --without-bugs >>/tmp/repro.$$ 2>&1
without=$?
if [ "$with" -ne 1 ] || [ "$without" -ne 0 ]; then
  echo "FAIL: $file: exit $with with the bug (want 1), $without without it (want 0)"
  cat /tmp/repro.$$
  rm -f /tmp/repro.$$
  exit 1
fi
echo "ok: $file fails with its bug and passes without it"
rm -f /tmp/repro.$$
