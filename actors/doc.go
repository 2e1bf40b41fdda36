// Package actors is async_server's actor tree: the root system actor, the logger
// actor, the services supervisor and the behavior's service actors, per
// listener an acceptor actor and a connection supervisor, and one connection
// actor per TCP connection. main.go starts it with Start; tests do the same
// with port 0.
//
// # The actor tree
//
//	root                    root.go      owns the tree and the shutdown; guardian: Stop (never restarted)
//	├── logger              logger.go    the one writer of server.log; started first, stopped last
//	├── services            services.go  supervises the behavior's service actors; up before the acceptors,
//	│   ├── rooms                        stopped after them
//	│   └── ...
//	├── acceptor-HOST:PORT  acceptor.go  owns the net.Listener and its accept loop, nothing else:
//	│                                    restarted (listening again) when the listener fails
//	├── conns-HOST:PORT     conns.go     owns the listener's connections and their slots;
//	│   ├── conn-1          conn.go      supervises them. Each conn-N owns one net.Conn
//	│   ├── conn-2                       (link.go) and runs one behavior (conn-N names are
//	│   └── ...                          unique in the server)
//	└── chaos               chaos.go     with -chaos RATE only: injects random faults into
//	                                     connections; stopped when shutdown begins
//
// With -cluster (package cluster) the node joins its cluster in Start, before
// root is spawned, so every PID carries the node's address. protoactor's
// cluster actors are top-level actors of the system beside root, not root's
// children: remote's endpoint manager and writers, the gossip (idle: its
// interval is set past any run), disthash's partition-activator, whose
// children are the grains hosted on this node (the behaviors' Setup.Grains),
// and package cluster's cluster-ping (the other nodes' pings land there;
// spawned before remote listens, so a ping never meets it half-spawned) and
// cluster-request-outcomes (counts failed grain lookups). Root ends them in
// the shutdown (below). Their goroutines are the library's (remote's gRPC
// streams, the etcd client's) and one of package cluster's, its pinger (it
// ends in Node.Stop, which waits for it).
//
// The connections are not the acceptor's children, as Ranch keeps them apart
// from its acceptors: a protoactor restart stops every child of the restarted
// actor, so a listener that fails (and its acceptor's restart) would close
// every connection it had accepted.
//
// The I/O engine is a package of its own, internal/netpoll: the reader's
// role, the epoll poller and its deadline heap, the dispatcher that runs a
// connection's mailbox on that connection's goroutines, and the runner
// goroutines. This package is the tree, the accepting and the connection
// actor; the connection actor owns a netpoll.Conn (link.go) and hears from it
// through link_events.go.
//
// Goroutines outside the mailboxes are few, and they only send messages: each
// acceptor's accept loop (accept_loop.go; backs off on every Accept error but
// a closed listener; exits when the listener closes, the acceptor waits for
// it), and the engine's (netpoll's package doc): the poller (one per process,
// from the first server's start to the last one's end, which waits for it),
// the runners (each runs one mailbox run at a time and exits after 20 to
// 40 ms parked, ended by a reaper goroutine that runs only while some runner
// is parked), and the sweeper, which ends busy connections' hot spells and
// runs only while some busy connection is hot. A connection's reader is a role, not a goroutine: while input
// flows a runner holds it, reading and running the actor; once the connection
// has been quiet for a few milliseconds the poller holds it, and an idle
// connection holds no goroutine and no read buffer; nor does one whose input
// waits (not acked: the memory budget, chat's room, the in-flight bound),
// whose reader parks until the ack starts it again on a runner. Whoever holds the role
// when the connection ends closes the socket; the Server waits for every
// reader before it is done. A TLS connection (and every connection where
// there is no epoll) has a reader goroutine of its own instead, which first
// runs the handshake under a deadline, so the connection supervisor never
// does. With -at-limit reject there is one more kind, which sends nothing: a
// client turned away at the limit gets its busy reply from a goroutine of its
// own (reject.go; on a TLS listener after a handshake it runs too; at most 64 per listener, past which a client is closed
// without the reply; each ends within a few seconds or when its accept loop
// exits; the Server waits for them as for readers).
//
// # Files
//
//	server.go, config.go    Start, the Server handle, Config
//	root.go, services.go    root and the services supervisor; the shutdown order
//	abandon.go              the shutdown's last resort: connections whose behavior never returns
//	logger.go, logbudget.go the logger actor; per-listener budgets for failure lines
//	listeners.go            opening the listeners (TCP, TLS)
//	acceptor.go             the acceptor: owns the listener, restarted when it fails
//	accept_loop.go          the accept loop goroutine; reject.go: -at-limit reject
//	conns.go                the connection supervisor: spawns connections, the limit, draining
//	idle.go                 the idle connections, idle longest first, for the limit
//	conn.go                 the connection actor: runs one behavior
//	link.go, link_conn.go   what survives its restarts: socket, engine, protocol.Conn
//	link_events.go          what the engine (netpoll.Conn) tells the connection actor
//	mailbox.go              the connection actor's mailbox: the reader's input runs an idle actor at once,
//	                        a service's reply reaches the actor without protoactor's invocation (link.onReply)
//	outbox.go               the mailbox's bound on what others queue for a connection
//	sender_mailbox.go       the mailbox of a service that runs on its senders (OnSender)
//	chaos.go, inject.go     fault injection; observe.go: reports to the observatory
//	registry.go             a compact process registry for protoactor
//
// # Message flow of one connection
//
//	accept loop --ConnectionAccepted--> conns --spawns--> conn-N
//	accept loop --ClientWaiting--> conns (at the limit: close the longest-idle conn;
//	                                      rejecting, it answers whether it did)
//	accept loop --AcceptFailed--> acceptor (the listener is gone: fail, to be restarted)
//	reader --DataReceived--> conn-N --Received(data)--> behavior --Write--> socket
//	conn-N --ack--> reader (reads again)       reader --ReadFailed--> conn-N (last)
//
// A message-driven behavior also talks to services (link_conn.go):
//
//	conn-N --ServiceRequest{ID, Body}--> service --ServiceReply{ID, Body}--> conn-N --HandleMessage--> behavior
//	service --any message, to a connection it knows--> conn-N --HandleMessage--> behavior
//	a watched actor stops --Terminated--> conn-N --HandleMessage--> behavior
//
// Services learn a connection from a message's sender, Watch it, and forget it on
// its Terminated. Two bounds keep a connection's memory finite: at most
// protocol.MaxInFlight unanswered requests (then the reader is not acked, and
// TCP pushes back on the peer; those to a service that stopped for good are
// written off at its Terminated, link_conn.go), and what others queue for it (outbox.go: past
// -output-limit, or above -output-soft-limit for a minute, it is closed; a reply that says
// it is Unlimited, one command's answer to the connection's own request, counts for the
// memory budget only).
//
// Flow control: the reader sends one DataReceived and waits for the actor's ack
// before it reads again, so a peer that sends faster than its behavior consumes
// fills its TCP window, not the server's memory. Writes carry -write-timeout, so a
// peer that never reads, or reads less than -min-send-rate, ends as Timeout.
// The ack is also held back while the behavior is not ready for more
// (protocol.InputGate: chat waits for its room) and, near the memory budget (budget.go, -memory-budget), for a connection
// holding 64 KiB or more: what behaviors report holding (Conn.Hold) and what
// others queue for a connection count against one server-wide budget (each in
// whole KiB, so that a message's small change touches no shared count), and
// past it the connection holding the most is closed (charges that would pass
// it take turns, so it is passed by one charge at most); so is one that alone
// holds half the budget when it would be paused (paused, it would never be
// read again).
//
// A connection slot (-max-conns) is taken by the accept loop and freed by the
// reader once the socket is closed, so the limit bounds open sockets. At the
// limit the connection supervisor closes the connection idle longest (idle.go
// keeps them in the order they became idle) for each waiting client, and that
// slot is free at once: the evicted socket finishes closing in a closing slot
// (link.evict), of which a listener has as many again, so open sockets stay
// under twice the limit; one that has exchanged nothing with its peer is
// closed at once instead (nothing in flight to protect). A connection whose
// socket holds input its reader has not read yet (netpoll.Conn.Unread, an
// ioctl on the supervisor, no read) is not idle: it is left out of the order
// as if it had spoken, and the next one closed (or none: as with no idle one).
//
// # Confinement
//
// Behavior code, and so every socket write, runs only on its own connection's
// goroutines: never on its supervisor's, root's or another actor's, so a
// stalled peer blocks nothing but its own connection. protoactor runs a
// mailbox on whoever finds it idle, until it is empty; a connection actor's dispatcher
// (netpoll.Dispatcher) therefore runs its mailbox on the reader when the reader's
// message woke it (a round trip costs no goroutine hand-off; the reader's input to
// an idle mailbox is handled right there, mailbox.go), and on a runner
// goroutine that does nothing else while the run lasts when anyone else's did (a
// spawn, a restart, a poison pill, a service). Every new sender to a connection
// keeps this for free. The poller runs no behavior code: it hands a readable
// connection to a runner, and a cold connection whose read deadline passed to
// a runner that ends it, unless input is waiting after all (the process was
// stopped past the deadline: that is no idleness). A behavior's constructor (its Factory) is behavior
// code too: protoactor runs an actor's producer inside the spawn, on the
// connection supervisor's goroutine, so the producer makes none, and each incarnation of a
// connection actor makes its behavior at its Started (conn.go), where a panic
// in the constructor is that connection's Internal failure.
//
// A service runs on runners (netpoll.RunnerDispatcher) unless it is
// declared OnSender (protocol.Service; the resp key space and broker): then
// its mailbox (sender_mailbox.go) runs on the goroutine whose request found
// it idle, a connection's as a rule (an actor's request; system messages,
// root's PoisonPill, timers and remote's deliveries start a runner), for at
// most a few messages before a runner takes over the run. Its answer to that connection lands
// in a mailbox the same goroutine is running, so the reply is handled, and
// written, by the connection's own run, with no hand-off; what it sends to
// any other connection goes through that connection's dispatcher as
// anyone's does. A service is not behavior code and writes to no socket,
// so this keeps confinement; it must only never block. A behavior may go one
// step further and run its service's code itself, under a lock the service
// holds for each message it handles: the resp key space's direct path
// (behaviors/resp/direct.go), where a request that finds the key space idle
// is no message at all. That too is a connection's goroutine running service
// code, never a service's goroutine running behavior code.
//
// # Supervision
//
// A behavior reports failures as *supervision.Error values (a panic counts as
// Internal); the connection actor fails with it and its connection
// supervisor's supervision.Strategy decides by the table in
// supervision/decide.go:
//
//	ConnectionFailed  Stop     reset by peer, broken pipe
//	Timeout           Stop     idle, header or write deadline (the behavior may reply first)
//	TooLarge          Stop     over a limit (error reply first)
//	BadRequest        Restart  error reply, fresh state, same socket; Stop if framing is lost
//	Internal          Restart  a panic: fresh state, same socket
//	ListenerFailed    Restart  (root, for an acceptor) a new listener on the same address; connections stay
//
// After a write timeout the Stop closes hard (a reset): the peer reads
// nothing, so no reply can reach it. Restart intensity: more than 3
// restarts of one child within 10 s and it is stopped instead. Every decision is logged ("supervision decision" with conn,
// remote, category, directive, restarts, budget, cause). A restart throws the
// behavior away and makes a new one; the socket and its reader stay (link.go),
// and the input the failed behavior handed back (Conn.Unread) goes to the new
// one first, so a client loses only the request that failed. Once shutdown has
// begun, root's strategy restarts nothing (Strategy.StopRestarting).
// When an acceptor is stopped for good (it cannot listen again), root shuts
// the server down gracefully and Err reports why.
//
// # Observatory
//
// With Config.Observe (-admin) or -chaos, the actors report to an
// observatory.Hub (observe.go): a connection opened (the connection, at its
// first Started, before it reads anything), stopped and
// why (its connection supervisor, at Terminated), every supervision decision (each strategy's
// observer, beside its log line), dead letters, log entries, rejections and
// the shutdown's duration. The hub builds the live tree, the event stream and
// the metrics from those reports and from each link's byte counters
// (atomics); it never asks an actor anything, so looking costs the data path
// nothing. Server.Inject (inject.go) sends a messages.Inject to a connection,
// service, acceptor or the logger (or, on a clustered node, a grain it hosts,
// named KIND/IDENTITY, whose behavior acts it out), which fails on its own goroutine with a
// supervision error marked injected (or stalls), so its supervisor decides as
// for a real failure. A connection hands its behavior's held input
// (protocol.Holder) to the successor, so an injected restart loses no input.
// A stall of any other actor ends when the shutdown begins, so that a
// simulated fault cannot hold the shutdown order below past main's last
// resort; an actor stopped for good takes no more faults (ErrStopped).
//
// # Shutdown order
//
// See rootActor (root.go): the acceptors stop, closing the listeners at once,
// and every connection gets a poison pill (messages.Finish), so what it
// already received is answered first, replies it is owed by services
// included; each connection supervisor reports when its last connection is
// gone; past -shutdown-timeout the rest are closed hard, and so is every
// socket still in its close-wait (its connection gone, its reader draining
// what the peer sends after the FIN: the drain is cut, and the peer sees a
// reset; a graceful connection whose client had not acknowledged all its
// replies then counts as forced), each supervisor saying how many of each
// for one warning; a grace after that a connection whose behavior is still
// blocked (on anything but its socket) is abandoned (abandon.go); once every
// reader has closed its socket (or been written off with its abandoned
// connection), root logs what each listener's log budget still counts
// (logbudget.go), then the shutdown report, and stops the connection
// supervisors, then, clustered, leaves the cluster (cluster.Node.Stop off
// root's goroutine: the provider, the grains, remote; ClusterLeft), then the
// services, and only then the logger (StopLogger), which writes every entry
// already queued and syncs the file. Server.Serving is false from the moment the shutdown begins
// (the admin endpoint's /readyz answers 503 then).
//
// So the shutdown report is the log's last word about the listeners and their
// connections: every entry they cause comes before it, the lines their log
// budgets left out counted in full. After it come only the later phases' own
// entries: a clustered node's "left the cluster", and, if a phase goes wrong,
// its warnings and errors (a service slow to stop or failing as it stops, the
// logger's restarts spent). A shutdown without those ends with the report.
package actors
