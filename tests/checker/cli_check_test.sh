#!/usr/bin/env bash
# Runs `raftlab check` on known files and checks the exit code contract:
# 0 linearizable, 1 not linearizable, 2 bad input.
set -u
bin=$1
data=$2
testdata=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
expect() {
  local want=$1
  shift
  "$bin" check "$@" >"$tmp/out" 2>&1
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: raftlab check $* exited $got, want $want"
    cat "$tmp/out"
    failures=$((failures + 1))
  fi
}
expect 0 "$data/porcupine-kv/c01-ok.txt"
expect 1 "$data/porcupine-kv/c01-bad.txt"
expect 1 "$data/porcupine-kv/c01-bad.txt" --explain
expect 0 "$data/etcd-3.4/etcd-h06-small.edn" --model cas-register --jobs 2
expect 0 "$testdata/etcd-indeterminate-put.jsonl"
expect 1 "$testdata/etcd-stale-read.jsonl"
expect 0 "$testdata/etcd-swarm-lost-responses.jsonl"
if ! grep -q "revision fast path" "$tmp/out"; then
  echo "FAIL: lost responses not decided by the revision fast path"
  cat "$tmp/out"
  failures=$((failures + 1))
fi
expect 1 "$testdata/etcd-swarm-lost-responses-bad.jsonl"
expect 1 "$testdata/etcd-stale-read.jsonl" --explain --json
# 30 concurrent puts and a get of a value none wrote: refuting it means
# trying every subset of the puts, which cannot finish in 0.3 s: limit
# reached, exit 3.
for i in $(seq 1 30); do
  printf '{"client":%d,"invoke_ns":1,"return_ns":100,"status":"ok","f":"put","key":"k","value":%d}\n' \
    "$i" "$i"
done >"$tmp/hard.jsonl"
printf '{"client":0,"invoke_ns":1,"return_ns":100,"status":"ok","f":"get","key":"k","result":1000}\n' \
  >>"$tmp/hard.jsonl"
expect 3 "$tmp/hard.jsonl" --timeout 0.3
# The etcd version: 30 indeterminate puts, then a get at revision 1 of a
# value none wrote. The revision fast path refutes it at once; asking for
# an explanation (which needs the search) must not change that verdict.
for i in $(seq 1 30); do
  printf '{"client":%d,"invoke_ns":1,"return_ns":null,"status":"info","f":"put","key":"k","value":"v%d"}\n' \
    "$i" "$i"
done >"$tmp/hard-etcd.jsonl"
printf '{"client":0,"invoke_ns":200,"return_ns":300,"status":"ok","f":"get","key":"k","result":"v999","revision":1}\n' \
  >>"$tmp/hard-etcd.jsonl"
expect 1 "$tmp/hard-etcd.jsonl" --explain --timeout 0.3
grep -q "no explanation" "$tmp/out" || { echo "FAIL: no 'no explanation' line"; cat "$tmp/out"; failures=$((failures + 1)); }
expect 1 "$tmp/hard-etcd.jsonl" --json --timeout 0.3
grep -q '"unexplained"' "$tmp/out" || { echo "FAIL: no unexplained member"; cat "$tmp/out"; failures=$((failures + 1)); }
expect 2 "$tmp/does-not-exist.edn"
printf '{:type :invoke, :f :read, :value nil, :process 0, :time 1}\n{:type :ok, :f :read\n' \
  >"$tmp/broken.edn"
expect 2 "$tmp/broken.edn"
grep -q "broken.edn:2" "$tmp/out" || { echo "FAIL: error does not name line 2"; cat "$tmp/out"; failures=$((failures + 1)); }
expect 2 "$data/porcupine-kv/c01-ok.txt" --format bogus
if [ "$failures" -ne 0 ]; then exit 1; fi
echo "checker_cli_exit_codes: ok"
