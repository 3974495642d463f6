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

# --- scenarios: validate, run, replay, shrink, shards (DESIGN.md §6) ---
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cat >"$tmp/ok.yaml" <<'YAML'
name: contract
duration: 3s
seeds: 1..4
cluster: {nodes: 3}
faults:
  - {at: 1s, do: isolate, target: leader, for: 1s}
YAML
expect_exit 0 "a valid scenario validates" "$raftlab" validate "$tmp/ok.yaml"
sed 's/cluster:/clustr:/' "$tmp/ok.yaml" >"$tmp/typo.yaml"
expect_exit 2 "a scenario with a typo is an input error" "$raftlab" validate "$tmp/typo.yaml"
grep -q "typo.yaml:4:1: scenario: unknown key 'clustr'" "$tmp/err" || fail "typo error does not name file:line:column"
expect_exit 2 "run refuses a scenario with a typo" "$raftlab" run "$tmp/typo.yaml"
expect_exit 2 "an unknown bug is an input error" "$raftlab" run "$tmp/ok.yaml" --bug no-such-bug
expect_exit 2 "a bad shard is an input error" "$raftlab" run "$tmp/ok.yaml" --shard 2/2
expect_exit 0 "a correct run passes" "$raftlab" run "$tmp/ok.yaml" --out "$tmp/all"
grep -q "^4 passed, 0 failed$" "$tmp/out" || fail "run does not end with 'N passed, M failed'"
[ "$(wc -l <"$tmp/all/results.jsonl")" -eq 4 ] || fail "results.jsonl does not have one line per seed"
# Two shards cover exactly the seeds of the unsharded run, with the same results.
expect_exit 0 "shard 0/2 passes" "$raftlab" run "$tmp/ok.yaml" --shard 0/2 --out "$tmp/s0"
expect_exit 0 "shard 1/2 passes" "$raftlab" run "$tmp/ok.yaml" --shard 1/2 --out "$tmp/s1"
strip() { sed 's/,"wall_ms":[0-9.]*//' "$@" | sort; }
[ "$(strip "$tmp/s0/results.jsonl" "$tmp/s1/results.jsonl")" = "$(strip "$tmp/all/results.jsonl")" ] ||
  fail "two shards differ from the unsharded run"
# A planted bug fails with a reproduce command whose replay prints the same hash.
cat >"$tmp/bug.yaml" <<'YAML'
name: contract-bug
duration: 4s
seeds: 1..3
cluster: {nodes: 5}
nemesis: {interval: {min: 300ms, max: 1s}, duration: {min: 200ms, max: 2s}, faults: [isolate, crash, pause]}
YAML
expect_exit 1 "a planted bug is a finding" "$raftlab" run "$tmp/bug.yaml" --bug heartbeat-uncapped-commit --out "$tmp/bug"
cmd=$(grep -m1 "reproduce: " "$tmp/out" | sed 's/.*reproduce: raftlab //')
[ -n "$cmd" ] || fail "no reproduce command printed"
seed=$(echo "$cmd" | sed 's/.*--seed \([0-9]*\).*/\1/')
hash=$(grep "\"seed\":$seed," "$tmp/bug/results.jsonl" | sed 's/.*"trace_hash":"\([0-9a-f]*\)".*/\1/')
# shellcheck disable=SC2086
expect_exit 1 "the reproduce command fails again" "$raftlab" $cmd --trace "$tmp/replay.txt"
grep -q "trace hash $hash" "$tmp/out" || fail "replay printed another trace hash than the sweep ($hash)"
[ -s "$tmp/replay.txt" ] || fail "replay wrote no trace"
[ -s "$tmp/bug/contract-bug/seed-$seed/scenario.yaml" ] || fail "no pinned scenario for the failing seed"
expect_exit 0 "shrink writes a smaller scenario" "$raftlab" shrink "$tmp/bug.yaml" --seed "$seed" \
  --bug heartbeat-uncapped-commit --max-runs 40 -o "$tmp/min.yaml"
grep -q "^after: " "$tmp/out" || fail "shrink did not say how much smaller"
expect_exit 1 "the shrunk scenario still fails" "$raftlab" run "$tmp/min.yaml"
expect_exit 0 "and passes without the bug" "$raftlab" run "$tmp/min.yaml" --without-bugs
expect_exit 0 "zoo lists the bugs" "$raftlab" zoo --list
[ "$(wc -l <"$tmp/out")" -ge 20 ] || fail "zoo --list names fewer than 20 bugs"

# The live commands refuse bad flags before they start anything.
expect_exit 2 "proxy without a link is a usage error" "$raftlab" proxy
expect_exit 2 "a malformed proxy link is an input error" "$raftlab" proxy --link n1-n2
grep -q "expected NAME=LISTEN_URL,TARGET_URL" "$tmp/err" || fail "proxy did not say what a link looks like"
expect_exit 2 "a peer-dial for a stranger is an input error" "$raftlab" node --name n1 \
  --data-dir "$tmp/n1" --listen-peer http://127.0.0.1:1 --listen-client http://127.0.0.1:2 \
  --initial-cluster n1=http://127.0.0.1:1,n2=http://127.0.0.1:3 --peer-dial n9=http://127.0.0.1:4
grep -q "peer-dial n9: expected another member" "$tmp/err" || fail "node did not name the bad --peer-dial"
printf 'cut\nbogus n1-n2\nheal\n' | expect_exit 0 "proxy answers each command and stops at end of input" \
  "$raftlab" proxy --link n1-n2=http://127.0.0.1:0,http://127.0.0.1:1
[ "$(grep -c '^error: ' "$tmp/out")" = 2 ] && grep -q '^ok heal$' "$tmp/out" && grep -q '^ready$' "$tmp/out" ||
  fail "proxy output: $(cat "$tmp/out")"

if [ "$failures" -ne 0 ]; then
  echo "cli_contract: $failures failure(s)"
  exit 1
fi
echo "cli_contract: all checks passed"
