#!/usr/bin/env bash
# Crash consistency on a live 3-member cluster: `raftlab load` writes and
# reads while the leader is killed with SIGKILL twice and restarted on its
# data directory. Afterwards the history, which ends with a linearizable read
# of every key, must be linearizable under the etcd model (so every
# acknowledged write survived), and every member, once caught up, must
# report the same HashKV. [--bug NAME] plants a bug in every member;
# then `raftlab check` must find it (exit 1) instead (tests/live/README.md).
source "$(dirname "$0")/lib.sh"
live_init "$@"
live_cluster 3 "${LIVE_FLAGS[@]}"
live_leader > /dev/null || live_fail "no leader within 20 s"
live_load_start --op mixed --clients 12 --duration 14s --keys 50 --value-size 32 --timeout 3s
base=1
for round in 1 2; do
  live_wait_revision $((base + 200))
  leader=$(live_leader) || live_fail "no leader before kill $round"
  live_kill "$leader" KILL
  wait "${NODE_PID[$leader]}" 2>/dev/null
  echo "round $round: killed the leader n$((leader + 1))"
  base=$(live_revision)
  base=${base:-1}
  starts=$(grep -c "recovery: backend at consistent index" "$LIVE_DIR/${NAME[$leader]}.log")
  live_start "$leader"
done
live_wait_revision $((base + 100))
# The restarted leader came back from its backend (LMDB), not from a
# snapshot: its state was at a consistent index past the bootstrap one.
# (Its restart may still be under way: wait up to 30 s for its line.)
log="$LIVE_DIR/${NAME[$leader]}.log"
deadline=$((SECONDS + 30))
while [ "$(grep -c "recovery: backend at consistent index" "$log")" -le "$starts" ] &&
      [ $SECONDS -lt $deadline ]; do
  sleep 0.2
done
ci=$(sed -n 's/.*recovery: backend at consistent index \([0-9]*\).*/\1/p' "$log" | tail -1)
[ "${ci:-0}" -gt 1 ] || live_fail "n$((leader + 1)) did not recover from its backend (log: $LIVE_DIR/${NAME[$leader]}.log)"
echo "the restarted member loaded its backend at consistent index $ci"
live_load_judge
[ "$LIVE_WANT" = 1 ] || echo "ok: two leader kills, history linearizable"
