# Helpers for the live tests (ctest label `live`): members on 127.0.0.1 at
# random free ports, every process started here stopped by its own pid on
# exit (SIGCONT first, for one a test stopped; SIGKILL after 5 s), every wait
# bounded. Source it; call live_init first.
set -u
export ETCDCTL_API=3
LIVE_PIDS=()
LIVE_DIR=""

live_fail() {
  echo "FAIL: $*" >&2
  for f in "$LIVE_DIR"/*.log; do
    [ -f "$f" ] && { echo "--- $f (last 30 lines)" >&2; tail -30 "$f" >&2; }
  done
  exit 1
}

live_cleanup() {
  local pid
  for pid in "${LIVE_PIDS[@]}"; do
    kill -CONT "$pid" 2>/dev/null
    kill -TERM "$pid" 2>/dev/null
  done
  local deadline=$((SECONDS + 5))
  for pid in "${LIVE_PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  [ -n "$LIVE_DIR" ] && rm -rf "$LIVE_DIR"
}

# live_init RAFTLAB [--bug NAME]...: a work directory and the cleanup trap.
# The flags after RAFTLAB, kept in LIVE_FLAGS for every member, plant bugs:
# with any, live_load_judge wants the checker to find one (LIVE_WANT=1).
live_init() {
  RAFTLAB=$1
  LIVE_FLAGS=("${@:2}")
  LIVE_WANT=0
  [ ${#LIVE_FLAGS[@]} -gt 0 ] && LIVE_WANT=1
  LIVE_DIR=$(mktemp -d /tmp/raftlab-live-XXXXXX)
  trap live_cleanup EXIT
}

# Prints N distinct ports nobody listens on, drawn below the kernel's
# ephemeral range (ip_local_port_range, 32768 and up by default): a port in
# that range can be taken at any moment as the local end of some outgoing
# connection, and binding it then fails with "Address already in use".
live_ports() {
  local n=$1 found=() p low=32768 span
  read -r low _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
  [ "$low" -gt 12000 ] || live_fail "the ephemeral port range starts at $low: no room below it"
  span=$((low - 10000))
  while [ ${#found[@]} -lt "$n" ]; do
    p=$((10000 + (RANDOM * 32768 + RANDOM) % span))
    if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then continue; fi
    [[ " ${found[*]} " == *" $p "* ]] && continue
    found+=("$p")
  done
  echo "${found[@]}"
}

# live_cluster N [node flags...]: lays out N raftlab members and starts them.
live_cluster() {
  live_layout "$@"
  local i
  for ((i = 0; i < ${#NAME[@]}; i++)); do live_start "$i"; done
}

# live_layout N [node flags...]: lays out N members on free ports (CLIENT[i],
# PEER[i], NAME[i], ENDPOINTS, INITIAL_CLUSTER) without starting them.
live_layout() {
  local n=$1
  shift
  local ports
  read -r -a ports <<< "$(live_ports $((2 * n)))"
  NAME=(); CLIENT=(); PEER=(); ENDPOINTS=""; INITIAL_CLUSTER=""; NODE_FLAGS=("$@"); NODE_EXTRA=()
  local i
  for ((i = 0; i < n; i++)); do
    NAME+=("n$((i + 1))")
    CLIENT+=("${ports[$((2 * i))]}")
    PEER+=("${ports[$((2 * i + 1))]}")
    ENDPOINTS+="${ENDPOINTS:+,}127.0.0.1:${CLIENT[$i]}"
    INITIAL_CLUSTER+="${INITIAL_CLUSTER:+,}${NAME[$i]}=http://127.0.0.1:${PEER[$i]}"
  done
  NODE_PID=()
}

# live_start I: (re)starts member I on its data directory, with the flags
# of live_layout and member I's own in NODE_EXTRA[I] (words, no spaces).
live_start() {
  local i=$1
  "$RAFTLAB" node --name "${NAME[$i]}" --data-dir "$LIVE_DIR/${NAME[$i]}" \
    --listen-peer "http://127.0.0.1:${PEER[$i]}" --listen-client "http://127.0.0.1:${CLIENT[$i]}" \
    --initial-cluster "$INITIAL_CLUSTER" --log "$LIVE_DIR/${NAME[$i]}.log" "${NODE_FLAGS[@]}" \
    ${NODE_EXTRA[$i]:-} \
    2>>"$LIVE_DIR/${NAME[$i]}.stderr" &
  NODE_PID[$i]=$!
  LIVE_PIDS+=("$!")
}

# live_kill I SIGNAL
live_kill() { kill "-$2" "${NODE_PID[$1]}"; }

# live_leader: prints the index of the member that leads (waits up to 20 s).
live_leader() { live_leader_among $(seq 0 $((${#NAME[@]} - 1))); }

# live_expect WANT CMD...: runs CMD (bounded), compares stdout with WANT.
live_expect() {
  local want=$1
  shift
  local got
  got=$(timeout 20 "$@" 2>"$LIVE_DIR/last.stderr") || live_fail "$* exited $?: $(cat "$LIVE_DIR/last.stderr")"
  [ "$got" = "$want" ] || live_fail "$*: got [$got], want [$want]"
}

# live_expect_error EXIT TEXT CMD...: CMD must exit EXIT with TEXT on stderr.
live_expect_error() {
  local want_exit=$1 text=$2
  shift 2
  timeout 20 "$@" >"$LIVE_DIR/last.stdout" 2>"$LIVE_DIR/last.stderr"
  local got=$?
  [ "$got" = "$want_exit" ] || live_fail "$*: exit $got, want $want_exit: $(cat "$LIVE_DIR/last.stderr")"
  grep -qF -- "$text" "$LIVE_DIR/last.stderr" || live_fail "$*: stderr lacks [$text]: $(cat "$LIVE_DIR/last.stderr")"
}

# live_etcd_start I: starts member I of the laid-out cluster as etcd 3.4
# (Debian etcd-server; $ETCD overrides the binary) with default flags.
live_etcd_start() {
  local i=$1
  "${ETCD:-etcd}" --name "${NAME[$i]}" --data-dir "$LIVE_DIR/${NAME[$i]}" \
    --listen-peer-urls "http://127.0.0.1:${PEER[$i]}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${PEER[$i]}" \
    --listen-client-urls "http://127.0.0.1:${CLIENT[$i]}" \
    --advertise-client-urls "http://127.0.0.1:${CLIENT[$i]}" \
    --initial-cluster "$INITIAL_CLUSTER" --initial-cluster-state new \
    > "$LIVE_DIR/etcd-${NAME[$i]}.log" 2>&1 &
  NODE_PID[$i]=$!
  LIVE_PIDS+=("$!")
}

# live_stop_all: stops every member (SIGTERM, bounded) and forgets its data.
live_stop_all() {
  local i deadline
  for ((i = 0; i < ${#NODE_PID[@]}; i++)); do kill -TERM "${NODE_PID[$i]}" 2>/dev/null; done
  deadline=$((SECONDS + 10))
  for ((i = 0; i < ${#NODE_PID[@]}; i++)); do
    while kill -0 "${NODE_PID[$i]}" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -KILL "${NODE_PID[$i]}" 2>/dev/null
    wait "${NODE_PID[$i]}" 2>/dev/null
    rm -rf "${LIVE_DIR:?}/${NAME[$i]}"
  done
  NODE_PID=()
}

# live_healthy: waits (up to 30 s) until every member answers a
# linearizable read. Writes nothing, so a fresh cluster stays at revision 1.
live_healthy() {
  local deadline=$((SECONDS + 30))
  until timeout 5 etcdctl --endpoints="$ENDPOINTS" --command-timeout=2s endpoint health \
      > /dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

# live_revision [I]: the store revision member I (or any member) reports
# through a linearizable read, or nothing if none answers within 2 s.
live_revision() {
  local at=$ENDPOINTS
  [ $# -gt 0 ] && at="127.0.0.1:${CLIENT[$1]}"
  timeout 5 etcdctl --endpoints="$at" --command-timeout=2s get none -w json 2>/dev/null |
    sed -n 's/.*"revision":\([0-9]*\).*/\1/p'
}

# live_wait_revision R [I]: waits (up to 30 s) until member I (or any
# member) reports a revision above R: the load made progress.
live_wait_revision() {
  local want=$1 deadline=$((SECONDS + 30)) r=""
  shift
  while [ $SECONDS -lt $deadline ]; do
    r=$(live_revision "$@")
    [ -n "$r" ] && [ "$r" -gt "$want" ] && return 0
    sleep 0.1
  done
  live_fail "the store stayed at revision ${r:-?} (wanted > $want)"
}

# live_load_start LOAD_FLAGS...: `raftlab load` against every member in the
# background, its history in $LIVE_DIR/history.jsonl (ending with a read of
# every key); live_load_judge waits for it.
live_load_start() {
  "$RAFTLAB" load --endpoints "$ENDPOINTS" --history "$LIVE_DIR/history.jsonl" --final-reads \
    "$@" > "$LIVE_DIR/load.out" 2>&1 &
  LOAD_PID=$!
  LIVE_PIDS+=("$LOAD_PID")
}

# live_load_judge: waits for the load, then `raftlab check --model etcd`
# must exit LIVE_WANT: 0 (linearizable, so every acknowledged write
# survived) or 1 (a planted bug was found). With 0, every member must then
# report the same HashKV (within 20 s, as they catch up).
live_load_judge() {
  local want=$LIVE_WANT got
  wait "$LOAD_PID" || live_fail "raftlab load exited $?: $(cat "$LIVE_DIR/load.out")"
  cat "$LIVE_DIR/load.out"
  "$RAFTLAB" check "$LIVE_DIR/history.jsonl" --model etcd > "$LIVE_DIR/check.out" 2>&1
  got=$?
  head -20 "$LIVE_DIR/check.out"
  [ "$got" = "$want" ] || live_fail "raftlab check exited $got, want $want"
  if [ "$want" = 1 ]; then
    echo "ok: the planted bug was found live"
    return 0
  fi
  local deadline=$((SECONDS + 20)) hashes
  while :; do
    timeout 10 etcdctl --endpoints="$ENDPOINTS" endpoint hashkv > "$LIVE_DIR/hash.out" 2>&1
    hashes=$(awk -F', ' '{print $2}' "$LIVE_DIR/hash.out" | sort -u | wc -l)
    [ "$hashes" = 1 ] && [ "$(wc -l < "$LIVE_DIR/hash.out")" = "${#NAME[@]}" ] && break
    [ $SECONDS -lt $deadline ] || live_fail "members disagree: $(cat "$LIVE_DIR/hash.out")"
    sleep 0.2
  done
  echo "HashKV $(awk -F', ' '{print $2}' "$LIVE_DIR/hash.out" | head -1) on all members"
}

# live_leader_among I...: prints which of the members I... leads (up to 20 s).
live_leader_among() {
  local deadline=$((SECONDS + 20)) i status
  while [ $SECONDS -lt $deadline ]; do
    for i in "$@"; do
      status=$(timeout 2 etcdctl --endpoints="127.0.0.1:${CLIENT[$i]}" --command-timeout=1s \
               endpoint status 2>/dev/null) || continue
      if [ "$(echo "$status" | awk -F', ' '{print $5}')" = "true" ]; then
        echo "$i"
        return 0
      fi
    done
    sleep 0.2
  done
  return 1
}
