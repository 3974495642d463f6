#!/usr/bin/env bash
# etcdctl 3.4 (Debian etcd-client) against a live 3-member raftlab cluster:
# put, get (--rev, --prefix), del, txn (compares on value and mod revision),
# watch (sees another etcdctl's put), leases (grant, keep-alive --once,
# timetolive, revoke drops the attached key), compaction then a read below
# it (the compacted error), endpoint status, defrag, member list and update; bad input gets
# etcd's errors. Expected outputs are etcd 3.4.23's (tests/live/README.md).
source "$(dirname "$0")/lib.sh"
live_init "$1"
live_cluster 3
leader=$(live_leader) || live_fail "no leader within 20 s"
E=(etcdctl --endpoints="$ENDPOINTS")
# Every member answers, whichever one the client reaches.
E1=(etcdctl --endpoints="127.0.0.1:${CLIENT[0]}")
E2=(etcdctl --endpoints="127.0.0.1:${CLIENT[1]}")
E3=(etcdctl --endpoints="127.0.0.1:${CLIENT[2]}")

live_expect "OK" "${E1[@]}" put foo bar
live_expect "$(printf 'foo\nbar')" "${E2[@]}" get foo
live_expect "OK" "${E3[@]}" put foo bar2
live_expect "$(printf 'foo\nbar')" "${E1[@]}" get foo --rev=2
live_expect "OK" "${E[@]}" put foo2 baz
live_expect "$(printf 'foo\nbar2\nfoo2\nbaz')" "${E2[@]}" get foo --prefix
live_expect "$(printf 'foo\n\nfoo2\n')" "${E3[@]}" get foo --prefix --keys-only
# Revisions: a fresh cluster is at 1; three puts later it is at 4.
rev=$(timeout 10 "${E[@]}" get foo -w json | sed -n 's/.*"revision":\([0-9]*\).*/\1/p')
[ "$rev" = "4" ] || live_fail "header revision $rev after three puts, want 4"

# Txn: compare on value, then on mod revision (foo was last written at 3).
printf 'value("foo") = "bar2"\n\nput foo bar3\n\nput foo no\n\n' > "$LIVE_DIR/txn1"
live_expect "$(printf 'SUCCESS\n\nOK')" "${E[@]}" txn < "$LIVE_DIR/txn1"
printf 'mod("foo") = "3"\n\nput foo no\n\nget foo\n\n' > "$LIVE_DIR/txn2"
live_expect "$(printf 'FAILURE\n\nfoo\nbar3')" "${E[@]}" txn < "$LIVE_DIR/txn2"

live_expect "1" "${E[@]}" del foo2
live_expect "" "${E[@]}" get foo2

# A watch on one member sees a put made through another.
timeout 10 "${E1[@]}" watch w --prefix > "$LIVE_DIR/watch.out" 2>&1 &
watch_pid=$!
LIVE_PIDS+=("$watch_pid")
sleep_until=$((SECONDS + 10))
until grep -q . "$LIVE_DIR/watch.out" 2>/dev/null || [ $SECONDS -ge $sleep_until ]; do
  timeout 5 "${E3[@]}" put w/a 1 > /dev/null
  sleep 0.2
done
kill "$watch_pid" 2>/dev/null
grep -q "^PUT$" "$LIVE_DIR/watch.out" && grep -q "^w/a$" "$LIVE_DIR/watch.out" \
  || live_fail "the watch did not see the put: $(cat "$LIVE_DIR/watch.out")"

# Leases (keep-alive and time-to-live reach the leader from any member).
lease=$(timeout 10 "${E2[@]}" lease grant 60 | awk '{print $2}')
[ -n "$lease" ] || live_fail "lease grant printed no id"
live_expect "OK" "${E[@]}" put lk lv --lease="$lease"
live_expect "lease $lease keepalived with TTL(60)" "${E3[@]}" lease keep-alive --once "$lease"
timeout 10 "${E1[@]}" lease timetolive "$lease" --keys > "$LIVE_DIR/ttl.out"
grep -q "^lease $lease granted with TTL(60s), remaining([0-9]*s), attached keys(\[lk\])$" \
  "$LIVE_DIR/ttl.out" || live_fail "timetolive: $(cat "$LIVE_DIR/ttl.out")"
live_expect "lease $lease revoked" "${E[@]}" lease revoke "$lease"
live_expect "" "${E[@]}" get lk
live_expect "lease $lease already expired" "${E[@]}" lease timetolive "$lease"
# etcd's minimum TTL with a 1 s election timeout is 2 s.
timeout 10 "${E[@]}" lease grant 1 | grep -q "granted with TTL(2s)" || live_fail "minimum TTL"

# Compaction: reading at the compacted revision works, below it does not.
rev=$(timeout 10 "${E[@]}" get foo -w json | sed -n 's/.*"revision":\([0-9]*\).*/\1/p')
live_expect "compacted revision $rev" "${E[@]}" compaction "$rev"
live_expect_error 1 "Error: etcdserver: mvcc: required revision has been compacted" \
  "${E[@]}" get foo --rev=2
live_expect_error 1 "Error: etcdserver: mvcc: required revision has been compacted" \
  "${E[@]}" compaction 2
live_expect_error 1 "Error: etcdserver: mvcc: required revision is a future revision" \
  "${E[@]}" get foo --rev=100000

# Bad input: etcd's errors, word for word.
live_expect_error 1 "Error: etcdserver: key is not provided" "${E[@]}" put "" v
live_expect_error 1 "Error: etcdserver: requested lease not found" "${E[@]}" put k v --lease=1234
head -c 1572864 /dev/zero | tr '\0' x > "$LIVE_DIR/big"
live_expect_error 1 "Error: etcdserver: request is too large" \
  "${E[@]}" put big < "$LIVE_DIR/big"
live_expect_error 1 "Error: failed to revoke lease (etcdserver: requested lease not found)" \
  "${E[@]}" lease revoke 1234

# Status and membership.
timeout 10 "${E[@]}" endpoint status > "$LIVE_DIR/status.out" || live_fail "endpoint status"
[ "$(wc -l < "$LIVE_DIR/status.out")" = "3" ] || live_fail "status: $(cat "$LIVE_DIR/status.out")"
[ "$(grep -c ', true, false, ' "$LIVE_DIR/status.out")" = "1" ] \
  || live_fail "not exactly one leader: $(cat "$LIVE_DIR/status.out")"
# Defragment: every member rewrites its backend (LMDB) without its free
# pages, and the data is all still there.
"${E[@]}" put before-defrag kept > /dev/null || live_fail "put before defrag"
timeout 20 "${E[@]}" defrag > "$LIVE_DIR/defrag.out" 2>&1 || live_fail "defrag: $(cat "$LIVE_DIR/defrag.out")"
[ "$(grep -c '^Finished defragmenting etcd member' "$LIVE_DIR/defrag.out")" = "3" ] \
  || live_fail "defrag: $(cat "$LIVE_DIR/defrag.out")"
[ "$("${E[@]}" get before-defrag --print-value-only)" = "kept" ] || live_fail "a key lost in defrag"
timeout 10 "${E[@]}" member list > "$LIVE_DIR/members.out" || live_fail "member list"
for i in 0 1 2; do
  grep -q "^$((i + 1)), started, ${NAME[$i]}, http://127.0.0.1:${PEER[$i]}, http://127.0.0.1:${CLIENT[$i]}, false$" \
    "$LIVE_DIR/members.out" || live_fail "member list: $(cat "$LIVE_DIR/members.out")"
done
# member update: n3 gets a second peer URL (its first, which peers dial,
# stays), through Raft, and every member lists it; the cluster still writes.
urls="http://127.0.0.1:${PEER[2]},http://127.0.0.1:1"
timeout 10 "${E[@]}" member update 3 --peer-urls="$urls" > "$LIVE_DIR/update.out" 2>&1 \
  || live_fail "member update: $(cat "$LIVE_DIR/update.out")"
grep -q "^Member *3 updated in cluster " "$LIVE_DIR/update.out" \
  || live_fail "member update: $(cat "$LIVE_DIR/update.out")"
for i in 0 1 2; do
  # A linearizable read first: the member has then applied the update
  # (member list answers from the member's own state, as etcd's does).
  timeout 10 etcdctl --endpoints="127.0.0.1:${CLIENT[$i]}" --command-timeout=5s get x > /dev/null \
    || live_fail "get at n$((i + 1))"
  timeout 10 etcdctl --endpoints="127.0.0.1:${CLIENT[$i]}" --command-timeout=5s member list \
    > "$LIVE_DIR/members.out" || live_fail "member list at n$((i + 1))"
  grep -q "^3, started, n3, $urls, " "$LIVE_DIR/members.out" \
    || live_fail "member list at n$((i + 1)) after the update: $(cat "$LIVE_DIR/members.out")"
done
timeout 10 "${E[@]}" put after-update 1 > /dev/null || live_fail "put after member update"
timeout 10 "${E[@]}" endpoint hashkv > "$LIVE_DIR/hash.out" || live_fail "hashkv"
[ "$(awk -F', ' '{print $2}' "$LIVE_DIR/hash.out" | sort -u | wc -l)" = "1" ] \
  || live_fail "members disagree: $(cat "$LIVE_DIR/hash.out")"
echo "ok: etcdctl against 3 live members (leader n$((leader + 1)))"
