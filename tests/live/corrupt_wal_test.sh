#!/usr/bin/env bash
# A member started on a damaged data directory refuses to start: exit 2,
# naming the WAL file and the byte offset, and nothing is applied. A torn
# tail (the last record cut short, as a crash mid-write leaves it) is not
# damage: it is cut off and the member starts.
source "$(dirname "$0")/lib.sh"
live_init "$1"
live_cluster 1
live_leader > /dev/null || live_fail "no leader within 20 s"
E=(etcdctl --endpoints="$ENDPOINTS")
for i in 1 2 3 4 5; do live_expect "OK" "${E[@]}" put "k$i" "value-$i"; done
live_kill 0 TERM
wait "${NODE_PID[0]}"
wal=$(ls "$LIVE_DIR/n1"/wal-* | tail -1)
[ -f "$wal" ] || live_fail "no WAL segment in $LIVE_DIR/n1"
size=$(stat -c %s "$wal")

# A torn tail: drop the last 3 bytes. The member starts and serves.
cp "$wal" "$LIVE_DIR/wal.orig"
truncate -s $((size - 3)) "$wal"
live_start 0
live_leader > /dev/null || live_fail "no leader after a torn tail"
grep -q "torn tail" "$LIVE_DIR/n1.log" || live_fail "the torn tail was not reported in the log"
live_kill 0 TERM
wait "${NODE_PID[0]}"

# Damage in the middle of the log: flip one byte well before the end.
wal=$(ls "$LIVE_DIR/n1"/wal-* | tail -1)
size=$(stat -c %s "$wal")
offset=$((size / 2))
printf '\xff' | dd of="$wal" bs=1 seek="$offset" conv=notrunc status=none
timeout 20 "$RAFTLAB" node --name n1 --data-dir "$LIVE_DIR/n1" \
  --listen-peer "http://127.0.0.1:${PEER[0]}" --listen-client "http://127.0.0.1:${CLIENT[0]}" \
  --initial-cluster "$INITIAL_CLUSTER" --log "$LIVE_DIR/n1.log" 2> "$LIVE_DIR/refused.err"
got=$?
[ $got = 2 ] || live_fail "a member on a damaged WAL exited $got, want 2"
grep -q "$(basename "$wal")" "$LIVE_DIR/refused.err" || live_fail "no file named: $(cat "$LIVE_DIR/refused.err")"
grep -q "offset" "$LIVE_DIR/refused.err" || live_fail "no offset named: $(cat "$LIVE_DIR/refused.err")"
echo "ok: $(cat "$LIVE_DIR/refused.err")"
