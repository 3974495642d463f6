#!/usr/bin/env bash
# raftlab against etcd 3.4 (Debian etcd-server), 3 members each on the
# loopback, data on the same disk, the same `raftlab load` for both:
# interleaved, a fresh cluster per measurement, REPS repetitions, medians.
#
#   bench/live/live_bench.sh RAFTLAB [REPS] [SECONDS]   (make bench-live)
#
# Prints one row per workload: throughput and p50/p99 of each, and the ratio.
# ROWS="get 64,put 1" measures a subset of the rows.
set -u
RAFTLAB=$1
REPS=${2:-3}
SECONDS_PER_RUN=${3:-10}
ETCD=${ETCD:-etcd}
WORK=$(mktemp -d /tmp/raftlab-bench-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Below the ephemeral range (32768 and up), where no outgoing connection
# can hold one of these ports when a member binds it.
BASE=$((10000 + RANDOM % 20000))
CLIENT=($BASE $((BASE + 2)) $((BASE + 4)))
PEER=($((BASE + 1)) $((BASE + 3)) $((BASE + 5)))
ENDPOINTS="127.0.0.1:${CLIENT[0]},127.0.0.1:${CLIENT[1]},127.0.0.1:${CLIENT[2]}"
CLUSTER="n1=http://127.0.0.1:${PEER[0]},n2=http://127.0.0.1:${PEER[1]},n3=http://127.0.0.1:${PEER[2]}"

start() {  # start SYSTEM: a fresh 3-member cluster
  rm -rf "$WORK/data"
  mkdir -p "$WORK/data"
  PIDS=()
  for i in 0 1 2; do
    if [ "$1" = raftlab ]; then
      "$RAFTLAB" node --name "n$((i + 1))" --data-dir "$WORK/data/n$i" \
        --listen-peer "http://127.0.0.1:${PEER[$i]}" --listen-client "http://127.0.0.1:${CLIENT[$i]}" \
        --initial-cluster "$CLUSTER" --log "$WORK/data/n$i.log" &
    else
      "$ETCD" --name "n$((i + 1))" --data-dir "$WORK/data/n$i" \
        --listen-peer-urls "http://127.0.0.1:${PEER[$i]}" \
        --initial-advertise-peer-urls "http://127.0.0.1:${PEER[$i]}" \
        --listen-client-urls "http://127.0.0.1:${CLIENT[$i]}" \
        --advertise-client-urls "http://127.0.0.1:${CLIENT[$i]}" \
        --initial-cluster "$CLUSTER" --initial-cluster-state new \
        > "$WORK/data/n$i.log" 2>&1 &
    fi
    PIDS+=("$!")
  done
  local deadline=$((SECONDS + 30))
  until ETCDCTL_API=3 etcdctl --endpoints="$ENDPOINTS" --command-timeout=1s put warmup 1 \
      > /dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "$1 did not start" >&2; exit 2; }
    sleep 0.2
  done
}

stop() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  PIDS=()
}

run() {  # run SYSTEM OP CLIENTS -> one JSON line
  start "$1"
  "$RAFTLAB" load --endpoints "$ENDPOINTS" --op "$2" --clients "$3" \
    --duration "${SECONDS_PER_RUN}s" --keys 1000 --value-size 256 --json
  stop
}

field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

echo "| workload | raftlab ops/s | p50 ms | p99 ms | etcd ops/s | p50 ms | p99 ms | ratio |"
echo "|---|---|---|---|---|---|---|---|"
ROWS=${ROWS:-"put 64,get 64,sget 64,txn 64,put 1"}  # a subset: ROWS="get 64,put 1"
IFS=, read -r -a rows <<< "$ROWS"
for row in "${rows[@]}"; do
  set -- $row
  : > "$WORK/raftlab.json"
  : > "$WORK/etcd.json"
  for ((r = 0; r < REPS; r++)); do
    run raftlab "$1" "$2" >> "$WORK/raftlab.json"
    run etcd "$1" "$2" >> "$WORK/etcd.json"
  done
  rl=$(field ops_per_s < "$WORK/raftlab.json" | median)
  rp50=$(field p50_ms < "$WORK/raftlab.json" | median)
  rp99=$(field p99_ms < "$WORK/raftlab.json" | median)
  et=$(field ops_per_s < "$WORK/etcd.json" | median)
  ep50=$(field p50_ms < "$WORK/etcd.json" | median)
  ep99=$(field p99_ms < "$WORK/etcd.json" | median)
  ratio=$(awk -v a="$rl" -v b="$et" 'BEGIN { printf "%.2f", a / b }')
  echo "| $1@$2 | $rl | $rp50 | $rp99 | $et | $ep50 | $ep99 | ${ratio}x |"
done
