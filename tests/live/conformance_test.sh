#!/usr/bin/env bash
# Differential conformance: one script of etcd v3 API calls
# (conformance/script.yaml) against a fresh 3-member raftlab cluster and a
# fresh 3-member etcd 3.4 cluster (Debian etcd-server); the normalized
# outcomes must match line for line (tests/live/README.md).
#
#   conformance_test.sh RAFTLAB CONFORMANCE_CLIENT SCRIPT
source "$(dirname "$0")/lib.sh"
live_init "$1"
CLIENT_BIN=$2
SCRIPT=$3
command -v "${ETCD:-etcd}" > /dev/null || live_fail "etcd not found (cmake/install-deps.sh installs etcd-server)"

run_script() {  # run_script TARGET: the script's outcomes in $LIVE_DIR/TARGET.out
  live_healthy || live_fail "$1: the cluster is not healthy within 30 s"
  timeout 180 "$CLIENT_BIN" --endpoints "$ENDPOINTS" "$SCRIPT" > "$LIVE_DIR/$1.out" \
    2> "$LIVE_DIR/$1.stderr" || live_fail "$1: the client exited $?: $(cat "$LIVE_DIR/$1.stderr")"
  live_stop_all
}

live_cluster 3
run_script raftlab
live_layout 3
for i in 0 1 2; do live_etcd_start "$i"; done
run_script etcd

# CONFORMANCE_OUT=DIR keeps both outputs (to read, or to extend the script).
if [ -n "${CONFORMANCE_OUT:-}" ]; then
  mkdir -p "$CONFORMANCE_OUT" && cp "$LIVE_DIR/etcd.out" "$LIVE_DIR/raftlab.out" "$CONFORMANCE_OUT/"
fi
if ! diff -u --label etcd-3.4 --label raftlab "$LIVE_DIR/etcd.out" "$LIVE_DIR/raftlab.out" \
    > "$LIVE_DIR/diff"; then
  cat "$LIVE_DIR/diff"
  live_fail "raftlab answers $(grep -c '^+ ' "$LIVE_DIR/diff") lines differently from etcd 3.4"
fi
echo "ok: $(grep -c '^#' "$LIVE_DIR/raftlab.out") calls, raftlab and etcd 3.4 answer alike"
