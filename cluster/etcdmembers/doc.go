// Package etcdmembers is a protoactor-go cluster provider (cluster.ClusterProvider)
// that keeps the member list in etcd, written because the stock one
// (protoactor-go/cluster/clusterproviders/etcd at the pinned version) is
// unsafe for grains that must live once:
//
//   - it watched from "now" after reading the members, so a node registering
//     between the read and the watch was never seen (3 of 20 simultaneous
//     starts left a node alone, and a room lived twice). Here a node puts its
//     key first, then reads, then watches from the read's revision + 1.
//   - its member IDs were CLUSTER@ID, not the actor system's ID that gossip
//     and the member list compare with. Here the ID is ActorSystem.ID.
//   - its lease was 3 s, fixed; here Config.TTL (-lease-ttl).
//   - it hung at start while etcd was down; here New and StartMember each
//     return within Config.DialTimeout, with an error wrapping ErrUnreachable.
//   - a node that lost its lease (a stall longer than the TTL) went on
//     serving grains that another node had activated meanwhile. Here
//     Config.OnLeaseLost is called (the node must exit), and a fence drops
//     grain messages from the moment 3/4 of the TTL has passed without an
//     acknowledged keep-alive, which is before any other node can drop this
//     one (fence.go says why).
//
// # How the node uses it (cluster wiring: ../etcd.go)
//
//	// In the provider's StartMember, after remote has started (see below):
//	p, err := etcdmembers.New(etcdmembers.Config{Endpoints: eps, TTL: ttl,
//		DialTimeout: 5 * time.Second, Prefix: etcdmembers.DefaultPrefix, Log: log,
//		OnLeaseLost: func(err error) { /* log it; exit with the lease-lost status */ }})
//	// err wraps ErrUnreachable when etcd did not answer within DialTimeout.
//	err = p.StartMember(c) // also within DialTimeout, also ErrUnreachable
//	// Every grain kind's props get the fence:
//	props = props.Clone(actor.WithReceiverMiddleware(p.Fence))
//	...
//	p.Shutdown(true); c.IdentityLookup.Shutdown(); c.Shutdown(false)
//
// Make the provider after remote.Start: New starts etcd's gRPC client, whose
// goroutines read gRPC's global logger, and remote.Start sets that logger (a
// data race under -race otherwise). cluster.Cluster.StartMember panics with
// StartMember's error; recover it and test it with errors.Is.
// cluster.Shutdown(false) does not call the provider's Shutdown; call it
// first: it revokes the lease, so peers drop the node at once. p.Fenced()
// tells anything else that acts for grains whether it may; p.Dropped()
// counts what the fence dropped.
//
// # Limits
//
// The fence reads Go's monotonic clock, which on Linux stops while the whole
// machine is suspended; a node whose machine sleeps past its TTL may handle
// grain messages on waking until its next keep-alive (due within a quarter
// of the TTL) or its watch hears that the lease is gone. A stopped process
// (SIGSTOP), a long GC pause or a slow machine is covered: the clock runs on.
// Not tested here: a test cannot suspend the machine.
//
// # Goroutines
//
// Two, both started by StartMember and waited for by Shutdown: the keep-alive
// (lease.go: renews every TTL/4; on a loss it leaves the wait group and then
// calls OnLeaseLost, so OnLeaseLost may call Shutdown) and the watch
// (watch.go: applies member events and tells the cluster's member list; after
// a broken watch it reads the members again). StartClient starts the watch
// only. The etcd client's own goroutines end at Shutdown's Close.
package etcdmembers
