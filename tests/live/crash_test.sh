#!/usr/bin/env bash
# Crash consistency on a live 3-member cluster: `raftlab load` writes and
# reads while the leader is killed with SIGKILL twice and restarted on its
# data directory. Afterwards the history, which ends with a linearizable read
# of every key, must be linearizable under the etcd model (so every
# acknowledged write survived), and every member must report the same
# HashKV at the same revision. [--bug NAME] plants a bug in every member;
# then `raftlab check` must find it (exit 1) instead (tests/live/README.md).
source "$(dirname "$0")/lib.sh"
live_init "$1"
shift
want_check=0
[ $# -gt 0 ] && want_check=1
live_cluster 3 "$@"
live_leader > /dev/null || live_fail "no leader within 20 s"
E=(etcdctl --endpoints="$ENDPOINTS" --command-timeout=2s)

revision() { timeout 5 "${E[@]}" get none -w json 2>/dev/null | sed -n 's/.*"revision":\([0-9]*\).*/\1/p'; }
# Waits until the store revision passed $1 (the load made progress), at most 30 s.
wait_revision_above() {
  local deadline=$((SECONDS + 30)) r
  while [ $SECONDS -lt $deadline ]; do
    r=$(revision)
    [ -n "$r" ] && [ "$r" -gt "$1" ] && return 0
    sleep 0.1
  done
  live_fail "the store stayed at revision ${r:-?} (wanted > $1)"
}

"$RAFTLAB" load --endpoints "$ENDPOINTS" --op mixed --clients 12 --duration 14s --keys 50 \
  --value-size 32 --timeout 3s --history "$LIVE_DIR/history.jsonl" --final-reads \
  > "$LIVE_DIR/load.out" 2>&1 &
load_pid=$!
LIVE_PIDS+=("$load_pid")
base=1
for round in 1 2; do
  wait_revision_above $((base + 200))
  leader=$(live_leader) || live_fail "no leader before kill $round"
  live_kill "$leader" KILL
  wait "${NODE_PID[$leader]}" 2>/dev/null
  echo "round $round: killed the leader n$((leader + 1))"
  base=$(revision)
  base=${base:-1}
  live_start "$leader"
done
wait_revision_above $((base + 100))
wait "$load_pid" || live_fail "raftlab load exited $?: $(cat "$LIVE_DIR/load.out")"
cat "$LIVE_DIR/load.out"
"$RAFTLAB" check "$LIVE_DIR/history.jsonl" --model etcd > "$LIVE_DIR/check.out" 2>&1
got=$?
cat "$LIVE_DIR/check.out"
if [ $want_check = 0 ]; then
  [ $got = 0 ] || live_fail "the history is not linearizable (raftlab check exited $got)"
else
  [ $got = 1 ] || live_fail "raftlab check exited $got with the bug planted, want 1"
  echo "ok: the planted bug was found live"
  exit 0
fi
# Every member, once caught up, holds the same store.
deadline=$((SECONDS + 20))
while :; do
  timeout 10 etcdctl --endpoints="$ENDPOINTS" endpoint hashkv > "$LIVE_DIR/hash.out" 2>&1
  timeout 10 etcdctl --endpoints="$ENDPOINTS" endpoint status -w json > "$LIVE_DIR/status.out" 2>&1
  hashes=$(awk -F', ' '{print $2}' "$LIVE_DIR/hash.out" | sort -u | wc -l)
  revs=$(grep -o '"revision":[0-9]*' "$LIVE_DIR/status.out" | sort -u | wc -l)
  [ "$hashes" = 1 ] && [ "$revs" = 1 ] && [ "$(wc -l < "$LIVE_DIR/hash.out")" = 3 ] && break
  [ $SECONDS -lt $deadline ] || live_fail "members disagree: $(cat "$LIVE_DIR/hash.out")"
  sleep 0.2
done
echo "ok: two leader kills, history linearizable, HashKV $(awk -F', ' '{print $2}' "$LIVE_DIR/hash.out" | head -1) on all members"
