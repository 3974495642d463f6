#!/usr/bin/env bash
# A partition on a live 3-member cluster. Every peer link runs through
# `raftlab proxy` (a relay per directed link; members dial through it with
# --peer-dial), so the harness can cut links without root. The leader, n1,
# is cut off from both others while `raftlab load` runs against all three;
# the others elect a leader and go on writing; then the links heal.
# Afterwards the history must be linearizable and every member must report
# the same HashKV.
#
# n1 runs with a 5 s election timeout and is made leader first
# (MoveLeader), so once cut off it goes on believing it leads for a while:
# a correct member must still refuse to answer reads it cannot confirm.
# [--bug NAME] plants a bug in every member; then `raftlab check` must find
# it (exit 1) instead: with leader-local-read, n1 answers reads from its
# stale state (tests/live/README.md).
source "$(dirname "$0")/lib.sh"
live_init "$@"
live_layout 3 "${LIVE_FLAGS[@]}"

# A proxy per directed link i->j, listening on its own port.
read -r -a link_ports <<< "$(live_ports 6)"
links=()
k=0
for i in 0 1 2; do
  for j in 0 1 2; do
    [ "$i" = "$j" ] && continue
    links+=(--link "${NAME[$i]}-${NAME[$j]}=http://127.0.0.1:${link_ports[$k]},http://127.0.0.1:${PEER[$j]}")
    NODE_EXTRA[$i]+="${NODE_EXTRA[$i]:+,}${NAME[$j]}=http://127.0.0.1:${link_ports[$k]}"
    k=$((k + 1))
  done
done
for i in 0 1 2; do NODE_EXTRA[$i]="--peer-dial ${NODE_EXTRA[$i]}"; done
NODE_EXTRA[0]+=" --election-timeout 5000"
coproc PROXY { exec "$RAFTLAB" proxy "${links[@]}" 2> "$LIVE_DIR/proxy.stderr"; }
LIVE_PIDS+=("$PROXY_PID")
PROXY_OUT=${PROXY[0]}
PROXY_IN=${PROXY[1]}
# proxy_do COMMAND: sends a command and waits (10 s at most) for its "ok".
proxy_do() {
  local reply
  echo "$*" >&"$PROXY_IN"
  read -t 10 -r reply <&"$PROXY_OUT" || live_fail "the proxy did not answer: $*"
  [[ $reply == ok* ]] || live_fail "the proxy refused [$*]: $reply"
}
reply=""
while [ "$reply" != ready ]; do
  read -t 10 -r reply <&"$PROXY_OUT" || live_fail "the proxy did not start: $(cat "$LIVE_DIR/proxy.stderr")"
done
for i in 0 1 2; do live_start "$i"; done

leader=$(live_leader) || live_fail "no leader within 20 s"
if [ "$leader" != 0 ]; then
  timeout 20 etcdctl --endpoints="127.0.0.1:${CLIENT[$leader]}" move-leader 1 > /dev/null \
    2> "$LIVE_DIR/last.stderr" || live_fail "move-leader: $(cat "$LIVE_DIR/last.stderr")"
  [ "$(live_leader)" = 0 ] || live_fail "n1 did not take over"
fi
echo "n1 leads"

live_load_start --op mixed --clients 12 --duration 15s --keys 20 --value-size 16 --timeout 500ms
live_wait_revision 100 1
before=$(live_revision 1)
proxy_do cut n1-n2 n1-n3 n2-n1 n3-n1
echo "cut n1 off (the store was past revision $before)"
new_leader=$(live_leader_among 1 2) || live_fail "n2 and n3 elected no leader within 20 s"
# Long enough for n1's clients to read every key after the majority
# rewrote it, and short of n1's check-quorum (at least 5 s after the cut).
live_wait_revision $((before + 1000)) 1
echo "n$((new_leader + 1)) leads the majority, which wrote 1000 revisions"
proxy_do heal
echo "healed"
live_load_judge
[ "$LIVE_WANT" = 1 ] || echo "ok: n1 cut off and healed, history linearizable"
