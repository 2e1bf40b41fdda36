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
// # How the node uses it (cluster wiring)
//
//	p, err := etcdmembers.New(etcdmembers.Config{Endpoints: eps, TTL: ttl,
//		DialTimeout: 5 * time.Second, Prefix: etcdmembers.DefaultPrefix, Log: log,
//		OnLeaseLost: func(err error) { /* log it; exit with the lease-lost status */ }})
//	// err wraps ErrUnreachable when etcd did not answer within DialTimeout.
//	props := actor.PropsFromProducer(newRoom, actor.WithReceiverMiddleware(p.Fence))
//	cfg := cluster.Configure(name, p, disthash.New(), remoteCfg, cluster.WithKinds(cluster.NewKind("room", props)))
//	c := cluster.New(system, cfg)
//	c.StartMember() // calls p.StartMember; panics if it fails (etcd gone since New)
//	...
//	p.Shutdown(true); c.IdentityLookup.Shutdown(); c.Shutdown(false)
//
// cluster.Shutdown(false) does not call the provider's Shutdown; call it first:
// it revokes the lease, so peers drop the node at once. p.Fenced() tells
// anything else that acts for grains whether it may; p.Dropped() counts what
// the fence dropped.
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
