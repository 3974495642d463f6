#!/usr/bin/env bash
# Exit codes and key output lines of the raftlab command: 0 success,
# 1 a property was violated, 2 usage or input error.
set -u
raftlab=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

expect_exit() {  # expected-code description command...
  local want=$1 what=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, want $want"
    sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -20
    failures=$((failures + 1))
  else
    echo "ok: $what (exit $got)"
  fi
}

expect_exit 2 "no subcommand is a usage error" "$raftlab"
expect_exit 2 "an unknown subcommand is a usage error" "$raftlab" frobnicate
expect_exit 0 "--help succeeds" "$raftlab" --help
expect_exit 0 "demo succeeds" "$raftlab" demo --seed 3
grep -q "invariants held" "$tmp/out" || { echo "FAIL: demo did not report invariants"; failures=$((failures + 1)); }

expect_exit 0 "a golden raft script matches" \
  "$raftlab" raft-script "$root/tests/testdata/raft/election.txt" --check
expect_exit 2 "a missing script file is an input error" "$raftlab" raft-script "$tmp/none.txt"
printf 'campaign 1\n' >"$tmp/bad.txt"
expect_exit 2 "a script without ---- is an input error" "$raftlab" raft-script "$tmp/bad.txt"
grep -q "bad.txt:1: expected a \"----\"" "$tmp/err" || { echo "FAIL: error does not name file:line"; failures=$((failures + 1)); }
printf 'add-nodes 1 voters=(1) index=2\n----\n\nfly-away 1\n----\n' >"$tmp/unknown.txt"
expect_exit 2 "an unknown script command is an input error" "$raftlab" raft-script "$tmp/unknown.txt"
cp "$root/tests/testdata/raft/single_node.txt" "$tmp/changed.txt"
sed -i 's/Lead:1 State:StateLeader/Lead:9 State:StateLeader/' "$tmp/changed.txt"
expect_exit 1 "--check reports an output that differs" "$raftlab" raft-script "$tmp/changed.txt" --check

if [ "$failures" -ne 0 ]; then
  echo "cli_contract: $failures failure(s)"
  exit 1
fi
echo "cli_contract: all checks passed"
