// clientv3_check: etcd's own Go client (clientv3 3.4, from Debian's
// golang-etcd-server-dev) against a cluster: KV, txn, watch, leases with a
// keep-alive stream, compaction, the error table, and the concurrency
// recipes built on them (sessions, mutexes, elections, STM), which depend on
// leases, revisions and watches behaving exactly as etcd's.
//
//	clientv3_check -endpoints 127.0.0.1:2379,...
//
// Prints one "ok" line per check and exits 0, or prints "FAIL: ..." and
// exits 1. Every wait is bounded by a context deadline.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/clientv3"
	"go.etcd.io/etcd/clientv3/concurrency"
	"go.etcd.io/etcd/etcdserver/api/v3rpc/rpctypes"
)

var cli *clientv3.Client

func fail(format string, args ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func must(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func ctxFor(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func checkKV() {
	ctx, cancel := ctxFor(5 * time.Second)
	defer cancel()
	first, err := cli.Put(ctx, "kv/a", "1")
	must(err, "put kv/a")
	_, err = cli.Put(ctx, "kv/a", "2", clientv3.WithPrevKV())
	must(err, "put kv/a again")
	_, err = cli.Put(ctx, "kv/b", "3")
	must(err, "put kv/b")
	got, err := cli.Get(ctx, "kv/", clientv3.WithPrefix())
	must(err, "get kv/ prefix")
	if got.Count != 2 || string(got.Kvs[0].Value) != "2" || got.Kvs[0].Version != 2 {
		fail("get kv/ prefix: %d keys, first %q version %d; want 2 keys, \"2\", version 2",
			got.Count, got.Kvs[0].Value, got.Kvs[0].Version)
	}
	old, err := cli.Get(ctx, "kv/a", clientv3.WithRev(first.Header.Revision))
	must(err, "get kv/a at its first revision")
	if len(old.Kvs) != 1 || string(old.Kvs[0].Value) != "1" {
		fail("get kv/a at revision %d: %v; want \"1\"", first.Header.Revision, old.Kvs)
	}
	del, err := cli.Delete(ctx, "kv/", clientv3.WithPrefix(), clientv3.WithPrevKV())
	must(err, "delete kv/ prefix")
	if del.Deleted != 2 || len(del.PrevKvs) != 2 {
		fail("delete kv/ prefix: deleted %d, %d previous kvs; want 2 and 2", del.Deleted, len(del.PrevKvs))
	}
	fmt.Println("ok kv: put, prefix get, get at a past revision, delete with prev kvs")
}

func checkTxn() {
	ctx, cancel := ctxFor(5 * time.Second)
	defer cancel()
	put, err := cli.Put(ctx, "txn/k", "v1")
	must(err, "put txn/k")
	resp, err := cli.Txn(ctx).
		If(clientv3.Compare(clientv3.Value("txn/k"), "=", "v1"),
			clientv3.Compare(clientv3.ModRevision("txn/k"), "=", put.Header.Revision)).
		Then(clientv3.OpPut("txn/k", "v2")).
		Else(clientv3.OpGet("txn/k")).Commit()
	must(err, "txn that should succeed")
	if !resp.Succeeded {
		fail("txn comparing the current value and mod revision did not succeed")
	}
	resp, err = cli.Txn(ctx).
		If(clientv3.Compare(clientv3.Value("txn/k"), "=", "v1")).
		Then(clientv3.OpPut("txn/k", "v3")).
		Else(clientv3.OpGet("txn/k")).Commit()
	must(err, "txn that should fail")
	if resp.Succeeded {
		fail("txn comparing a stale value succeeded")
	}
	kvs := resp.Responses[0].GetResponseRange().Kvs
	if len(kvs) != 1 || string(kvs[0].Value) != "v2" {
		fail("txn else branch read %v; want v2", kvs)
	}
	fmt.Println("ok txn: compare value and mod revision, then and else branches")
}

func checkWatch() {
	ctx, cancel := ctxFor(10 * time.Second)
	defer cancel()
	start, err := cli.Put(ctx, "watch/x", "0")
	must(err, "put watch/x")
	wch := cli.Watch(clientv3.WithRequireLeader(ctx), "watch/", clientv3.WithPrefix(),
		clientv3.WithRev(start.Header.Revision), clientv3.WithPrevKV())
	go func() {
		for _, v := range []string{"1", "2"} {
			if _, err := cli.Put(ctx, "watch/x", v); err != nil {
				return
			}
		}
		cli.Delete(ctx, "watch/x")
	}()
	var seen []string
	for len(seen) < 4 {
		select {
		case wr, ok := <-wch:
			if !ok {
				fail("watch channel closed after %v", seen)
			}
			must(wr.Err(), "watch")
			for _, ev := range wr.Events {
				e := fmt.Sprintf("%s %s=%s", ev.Type, ev.Kv.Key, ev.Kv.Value)
				if ev.PrevKv != nil {
					e += " prev " + string(ev.PrevKv.Value)
				}
				seen = append(seen, e)
			}
		case <-ctx.Done():
			fail("watch: %d of 4 events before the deadline: %v", len(seen), seen)
		}
	}
	want := []string{"PUT watch/x=0", "PUT watch/x=1 prev 0", "PUT watch/x=2 prev 1", "DELETE watch/x= prev 2"}
	if strings.Join(seen, "; ") != strings.Join(want, "; ") {
		fail("watch events %v; want %v", seen, want)
	}
	fmt.Println("ok watch: from a past revision, prefix, prev kv, put and delete events in order")
}

func checkLease() {
	ctx, cancel := ctxFor(10 * time.Second)
	defer cancel()
	lease, err := cli.Grant(ctx, 5)
	must(err, "lease grant")
	_, err = cli.Put(ctx, "lease/k", "v", clientv3.WithLease(lease.ID))
	must(err, "put with lease")
	ttl, err := cli.TimeToLive(ctx, lease.ID, clientv3.WithAttachedKeys())
	must(err, "lease time-to-live")
	if ttl.GrantedTTL != 5 || len(ttl.Keys) != 1 || string(ttl.Keys[0]) != "lease/k" {
		fail("time-to-live: granted %d, keys %q; want 5 and [lease/k]", ttl.GrantedTTL, ttl.Keys)
	}
	kctx, kcancel := context.WithCancel(ctx)
	ka, err := cli.KeepAlive(kctx, lease.ID)
	must(err, "keep-alive stream")
	for i := 0; i < 2; i++ {
		select {
		case r, ok := <-ka:
			if !ok || r.ID != lease.ID || r.TTL != 5 {
				fail("keep-alive response %d: %v (open %v); want lease %x with TTL 5", i, r, ok, lease.ID)
			}
		case <-ctx.Done():
			fail("keep-alive: %d responses before the deadline", i)
		}
	}
	kcancel()
	_, err = cli.Revoke(ctx, lease.ID)
	must(err, "lease revoke")
	got, err := cli.Get(ctx, "lease/k")
	must(err, "get after revoke")
	if got.Count != 0 {
		fail("the revoked lease's key is still there")
	}
	_, err = cli.Revoke(ctx, lease.ID)
	if err != rpctypes.ErrLeaseNotFound {
		fail("revoking twice: %v; want %v", err, rpctypes.ErrLeaseNotFound)
	}
	fmt.Println("ok lease: grant, attached keys, two keep-alives on the stream, revoke deletes, lease not found")
}

func checkErrors() {
	ctx, cancel := ctxFor(5 * time.Second)
	defer cancel()
	if _, err := cli.Put(ctx, "", "v"); err != rpctypes.ErrEmptyKey {
		fail("put of an empty key: %v; want %v", err, rpctypes.ErrEmptyKey)
	}
	var last *clientv3.PutResponse
	for i := 0; i < 3; i++ {
		r, err := cli.Put(ctx, "compact/k", fmt.Sprint(i))
		must(err, "put compact/k")
		last = r
	}
	_, err := cli.Compact(ctx, last.Header.Revision-1, clientv3.WithCompactPhysical())
	must(err, "compact")
	if _, err := cli.Get(ctx, "compact/k", clientv3.WithRev(last.Header.Revision-2)); err != rpctypes.ErrCompacted {
		fail("get below the compaction: %v; want %v", err, rpctypes.ErrCompacted)
	}
	// Over etcd's 1.5 MiB request limit, under the client's 2 MiB send limit.
	if _, err := cli.Put(ctx, "big", strings.Repeat("x", 1600*1000)); err != rpctypes.ErrRequestTooLarge {
		fail("put of 1.6 MB: %v; want %v", err, rpctypes.ErrRequestTooLarge)
	}
	fmt.Println("ok errors: empty key, compacted revision, request too large, as etcd's error table")
}

func checkCluster(members int) {
	ctx, cancel := ctxFor(5 * time.Second)
	defer cancel()
	list, err := cli.MemberList(ctx)
	must(err, "member list")
	if len(list.Members) != members {
		fail("member list: %d members; want %d", len(list.Members), members)
	}
	leaders := 0
	for _, ep := range cli.Endpoints() {
		st, err := cli.Status(ctx, ep)
		must(err, "status of "+ep)
		if st.Leader == st.Header.MemberId {
			leaders++
		}
	}
	if leaders != 1 {
		fail("status: %d endpoints say they lead; want 1", leaders)
	}
	fmt.Printf("ok cluster: %d members listed, one leader by status\n", members)
}

// Two sessions contend for one mutex: the second Lock returns only after
// the first Unlock, because it waits (by watch) for the key with the lower
// create revision to go.
func checkMutex() {
	ctx, cancel := ctxFor(15 * time.Second)
	defer cancel()
	s1, err := concurrency.NewSession(cli, concurrency.WithTTL(5), concurrency.WithContext(ctx))
	must(err, "session 1")
	defer s1.Close()
	s2, err := concurrency.NewSession(cli, concurrency.WithTTL(5), concurrency.WithContext(ctx))
	must(err, "session 2")
	defer s2.Close()
	m1 := concurrency.NewMutex(s1, "mutex/")
	m2 := concurrency.NewMutex(s2, "mutex/")
	must(m1.Lock(ctx), "lock 1")
	var mu sync.Mutex
	order := []string{}
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	done := make(chan error, 1)
	go func() {
		err := m2.Lock(ctx)
		note("locked 2")
		done <- err
	}()
	// The second locker is queued behind the first: its key exists.
	for {
		r, err := cli.Get(ctx, "mutex/", clientv3.WithPrefix())
		must(err, "get mutex keys")
		if r.Count == 2 {
			break
		}
		select {
		case <-ctx.Done():
			fail("the second locker never queued")
		case <-time.After(20 * time.Millisecond):
		}
	}
	note("unlock 1")
	must(m1.Unlock(ctx), "unlock 1")
	select {
	case err := <-done:
		must(err, "lock 2")
	case <-ctx.Done():
		fail("lock 2 never returned after unlock 1")
	}
	if strings.Join(order, ",") != "unlock 1,locked 2" {
		fail("mutex order %v; want unlock 1 before locked 2", order)
	}
	must(m2.Unlock(ctx), "unlock 2")
	fmt.Println("ok mutex: two sessions, the second lock waits for the first unlock")
}

func checkElection() {
	ctx, cancel := ctxFor(15 * time.Second)
	defer cancel()
	s, err := concurrency.NewSession(cli, concurrency.WithTTL(5), concurrency.WithContext(ctx))
	must(err, "election session")
	defer s.Close()
	e := concurrency.NewElection(s, "election/")
	must(e.Campaign(ctx, "n1"), "campaign")
	must(e.Proclaim(ctx, "n1-again"), "proclaim")
	l, err := e.Leader(ctx)
	must(err, "leader")
	if len(l.Kvs) != 1 || string(l.Kvs[0].Value) != "n1-again" {
		fail("election leader %v; want n1-again", l.Kvs)
	}
	must(e.Resign(ctx), "resign")
	if _, err := e.Leader(ctx); err != concurrency.ErrElectionNoLeader {
		fail("leader after resigning: %v; want %v", err, concurrency.ErrElectionNoLeader)
	}
	fmt.Println("ok election: campaign, proclaim, leader, resign")
}

// STM transfers between accounts from concurrent goroutines: conflicts
// retry, and the total never changes. Repeatable-read isolation: the
// snapshot isolations read later keys serializably at the first read's
// revision, which a member that has not applied it yet refuses as a future
// revision (etcd 3.4 itself does, behind a client balancing over members).
func checkSTM() {
	ctx, cancel := ctxFor(30 * time.Second)
	defer cancel()
	const accounts, start = 4, 100
	for i := 0; i < accounts; i++ {
		_, err := cli.Put(ctx, fmt.Sprintf("stm/%d", i), fmt.Sprint(start))
		must(err, "put account")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for t := 0; t < 10; t++ {
				from, to := fmt.Sprintf("stm/%d", (w+t)%accounts), fmt.Sprintf("stm/%d", (w+t+1)%accounts)
				_, err := concurrency.NewSTM(cli, func(s concurrency.STM) error {
					var a, b int
					fmt.Sscan(s.Get(from), &a)
					fmt.Sscan(s.Get(to), &b)
					s.Put(from, fmt.Sprint(a-1))
					s.Put(to, fmt.Sprint(b+1))
					return nil
				}, concurrency.WithAbortContext(ctx), concurrency.WithIsolation(concurrency.RepeatableReads))
				if err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(err, "stm transfer")
	}
	r, err := cli.Get(ctx, "stm/", clientv3.WithPrefix())
	must(err, "get accounts")
	total := 0
	for _, kv := range r.Kvs {
		var v int
		fmt.Sscan(string(kv.Value), &v)
		total += v
	}
	if total != accounts*start {
		fail("stm: the accounts hold %d after 80 transfers; want %d", total, accounts*start)
	}
	fmt.Println("ok stm: 80 concurrent transfers, the total unchanged")
}

// -no-leader: the endpoint is a member whose peers were killed, so it
// loses its leader within an election timeout or two. A serializable read
// is answered from the member's own state with or without a leader, unless
// the client asks for one (WithRequireLeader, the "hasleader" metadata):
// then it must be refused with ErrNoLeader.
func checkNoLeader() {
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := ctxFor(3 * time.Second)
		_, err := cli.Get(clientv3.WithRequireLeader(ctx), "no-leader", clientv3.WithSerializable())
		cancel()
		if err == rpctypes.ErrNoLeader {
			break
		}
		if err != nil || time.Now().After(deadline) {
			fail("serializable get with WithRequireLeader on a member without a quorum: %v; want %v",
				err, rpctypes.ErrNoLeader)
		}
		time.Sleep(50 * time.Millisecond) // still answered: the member has not noticed yet
	}
	ctx, cancel := ctxFor(3 * time.Second)
	defer cancel()
	if _, err := cli.Get(ctx, "no-leader", clientv3.WithSerializable()); err != nil {
		fail("serializable get without WithRequireLeader: %v; want an answer from local state", err)
	}
	fmt.Println("ok no leader: a serializable get is refused with etcdserver: no leader only when the client requires a leader")
}

func main() {
	endpoints := flag.String("endpoints", "127.0.0.1:2379", "comma-separated client endpoints")
	members := flag.Int("members", 3, "members the cluster must list")
	noLeader := flag.Bool("no-leader", false, "only check the refusal of WithRequireLeader (see checkNoLeader)")
	flag.Parse()
	var err error
	cli, err = clientv3.New(clientv3.Config{
		Endpoints:   strings.Split(*endpoints, ","),
		DialTimeout: 5 * time.Second,
	})
	must(err, "connect")
	defer cli.Close()
	if *noLeader {
		checkNoLeader()
		return
	}
	checkKV()
	checkTxn()
	checkWatch()
	checkLease()
	checkErrors()
	checkCluster(*members)
	checkMutex()
	checkElection()
	checkSTM()
	fmt.Println("ok: every check passed")
}
