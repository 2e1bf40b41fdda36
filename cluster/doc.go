// Package cluster is this node's membership in a protoactor-go cluster
// (-cluster NAME): it starts remote and the cluster on the server's actor
// system before anything listens, places the behaviors' grains
// (protocol.Setup.Grains) with disthash (rendezvous hashing over the member
// list), and leaves the cluster after the connections have drained.
//
// Two membership modes, exactly one per node:
//
//   - a static list (-peers): every node publishes the same fixed member list,
//     each member's ID derived from its address, so every node computes the
//     same placement; a node pinged by a member with another list logs it
//     (peerlist.go). There is no failure detection: a dead node's share of
//     the grains is unavailable until it comes back (requests to it fail
//     after -cluster-request-timeout), and nothing ever lives on two nodes.
//     Whether a member answers is still watched (the remote endpoint's
//     events), for /tree and the metrics only.
//   - etcd (-etcd): the members are the live leases under the cluster's
//     prefix (package cluster/etcdmembers). A node that loses its lease exits
//     (ExitLeaseLost), so a node woken from a stall never serves a grain that
//     has moved meanwhile.
//
// What the engine does at the pinned version, and what this package does
// about it (docs/cluster.md has the measurements):
//
//   - A message type the receiver does not know crashed the receiving
//     process (a nil dereference in remote's proto serializer), and so did a
//     batch whose indices point past its tables. guard.go filters every
//     batch a peer sends before remote reads it, and recovers a panic in the
//     stream's handler: the stream ends, the node stays up. It also drops
//     the messages remote would only log a line about (an empty one, a
//     client's ConnectRequest): a flood of them was a flood of log lines.
//   - Remote's unary methods panic "implement me", and gRPC recovers no
//     panic: one call ended the process. refuseUnary refuses every unary
//     call before its handler.
//   - gRPC keeps every connection that began HTTP/2, without bound, and
//     lets each open streams without bound: MaxNodeConns and MaxNodeStreams
//     (conns.go) bound what the clients of -node-addr may hold, and one
//     without a stream is closed after connIdleTimeout.
//   - Remote's endpoint writer dials a peer that is away again on each retry
//     without closing the connection it dialled before, which went on
//     reconnecting for good; closeFailedDials (dials.go) closes those.
//   - cluster.Request retries 3 times, each with the full timeout, and checks
//     its deadline only between attempts; Node.Request here makes one attempt
//     within one deadline, and Node.FindFuture one lookup without blocking
//     (for actors: wait with ReenterAfter). Both count in the metrics.
//   - Remote sends a node every message queued for it (up to 1000) as one
//     gRPC message, and gRPC refuses one over 4 MiB by default: the whole
//     batch was lost, and the stream reconnected. Remote's server and call
//     options here take and send up to MaxBatchBytes (2 GiB - 1) instead
//     (node.go); a behavior bounds each message it sends.
//   - Remote queues what is sent to a node without bound while the node's
//     gRPC stream is blocked: a stalled node (SIGSTOP) made a node that
//     kept sending to it grow by everything sent. Node.Forward, for
//     messages sent fire and forget (resp's PUBLISH to the other brokers,
//     chat's lines, the pinger's pings), sends a peer at most SendWindow
//     unacknowledged bytes and drops the rest (window.go); the peer's guard
//     acknowledges them.
//   - Cluster.Shutdown(true) sleeps 2 s; Stop does provider, identity lookup,
//     then Shutdown(false).
//   - StartMember sleeps 1 s and panics on errors; Start turns a panic into
//     an error (a port in use).
//   - The gossip blocks, for good, a member ID it has seen leave or whose
//     heartbeat expired, and remote then refuses that ID's connections; under
//     -race it raced on every three-node run. Nothing here uses it, so it is
//     off (its interval set past any run). The actor system's ID stays the
//     random one protoactor gives each process (a restarted node is a new
//     ID), and only the static list's member IDs are derived from the
//     address.
//   - MemberList.Members reads without its lock; the view (view.go) keeps
//     the members from the topology events, under its own.
package cluster
