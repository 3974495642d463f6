#!/usr/bin/env bash
# etcd's own Go client: clientv3_check (clientv3/main.go, clientv3 3.4 from
# Debian's golang-etcd-server-dev) runs its checks against a fresh 3-member
# etcd 3.4 cluster first, which shows the checks hold for etcd itself, then
# against a fresh 3-member raftlab cluster; then, with two members killed,
# a client requiring a leader must be refused (tests/live/README.md).
#
#   clientv3_test.sh RAFTLAB CLIENTV3_CHECK
source "$(dirname "$0")/lib.sh"
live_init "$1"
CHECK_BIN=$2
command -v "${ETCD:-etcd}" > /dev/null || live_fail "etcd not found (cmake/install-deps.sh installs etcd-server)"

run_checks() {  # run_checks TARGET
  live_healthy || live_fail "$1: the cluster is not healthy within 30 s"
  # clientv3 logs every retried error on stderr; it is shown on failure.
  if ! timeout 120 "$CHECK_BIN" -endpoints "$ENDPOINTS" -members 3 > "$LIVE_DIR/$1.out" \
      2> "$LIVE_DIR/$1.stderr"; then
    cat "$LIVE_DIR/$1.out"
    tail -20 "$LIVE_DIR/$1.stderr"
    live_fail "$1: clientv3_check exited non-zero"
  fi
  sed "s/^/$1: /" "$LIVE_DIR/$1.out"
  # Then n1 alone: its peers are killed, it loses its leader, and a client
  # that requires one is refused at once.
  kill -KILL "${NODE_PID[1]}" "${NODE_PID[2]}"
  if ! timeout 60 "$CHECK_BIN" -endpoints "127.0.0.1:${CLIENT[0]}" -no-leader > "$LIVE_DIR/$1.out" \
      2> "$LIVE_DIR/$1.stderr"; then
    cat "$LIVE_DIR/$1.out"
    tail -20 "$LIVE_DIR/$1.stderr"
    live_fail "$1: clientv3_check -no-leader exited non-zero"
  fi
  sed "s/^/$1: /" "$LIVE_DIR/$1.out"
  live_stop_all
}

live_layout 3
for i in 0 1 2; do live_etcd_start "$i"; done
run_checks etcd-3.4
live_layout 3
for i in 0 1 2; do live_start "$i"; done
run_checks raftlab
echo "ok: etcd's Go client passes the same checks against etcd 3.4 and raftlab"
