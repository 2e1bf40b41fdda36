// Package resp is the resp behavior (-behavior resp): a Redis-compatible
// server that redis-cli, redis-benchmark and go-redis use as they use Redis
// 7.0, whose answers are the reference. Its key space and its pub/sub broker
// are service actors under the services supervisor.
//
// # Layout
//
//	resp.go        New: the Setup (a session per connection, the two services)
//	session.go     the connection: input, replies, close (a protocol.Protocol)
//	dispatch.go    one command's checks (unknown, arity, auth), then where it runs
//	order.go       replies in request order: one request per read and service
//	parse*.go      RESP2 multibulk and inline input, Redis's limits and errors
//	writer.go      replies, RESP2 and RESP3 (HELLO 3)
//	table.go       the command table: one entry per command; COMMAND reads it
//	call.go        what a handler gets (Call) and its helpers
//	keyspace*.go   the key-space service: runs batches, survives its failures
//	direct.go      the direct path: a batch run on the connection's goroutine when the key space is idle
//	store.go       the data (16 databases, typed values), outside the actor
//	block.go       parked blocking commands
//	mpop.go        the pops from the first of several keys, lists and sorted sets alike
//	expire.go      active expiry (lazy expiry is in DB.Get)
//	memory.go      used memory: the data set's size, counted per key as it changes
//	evict.go       -maxmemory-policy: the keys evicted before a command over -maxmemory
//	lfu.go         the LFU policies' access counter (OBJECT FREQ)
//	broker.go      the pub/sub service
//	pubsub.go      the broker's index of subscriptions (a Broker), and what it sends
//	pubsub_set.go  the index kept small: a name's subscribers, a subscriber's names
//	subscriptions.go  a connection's own subscriptions (cmd_pubsub.go runs the commands)
//	pubsub_cluster.go  -cluster: PUBLISH forwarded to every node's broker (resppb)
//	slot.go        -cluster: Redis Cluster's hash slots, divided among 16 shards
//	cluster_route.go  -cluster: a key-space command to its shard, or refused (CROSSSLOT, ...)
//	shard_router.go   -cluster: the service that sends a shard's batches to its grain
//	router_owed.go    -cluster: what the shard router owes, answered when it fails
//	shard_grain.go    -cluster: a shard grain (ShardKind): a Store of its own
//	memory_cluster.go -cluster: -maxmemory over the node's shards together
//	cmd_*.go       the commands, one file per group
//	*_value.go, zset.go, skiplist.go, members.go   the values of each type
//	score.go       doubles read (strtod's rules) and written (%.17g) as Redis 7.0 does
//	glob.go        Redis's glob matcher (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET)
//	multi.go       MULTI/EXEC on the connection's side; watches.go the key space's WATCH
//	clients.go     the registry of connections (CLIENT LIST, KILL; INFO clients)
//	config.go      the settings in force (-requirepass, -maxmemory, -maxmemory-policy, -proto-max-bulk-len; CONFIG SET)
//	stats.go       per-command counters (INFO commandstats)
//
// # What is in, what is out
//
// In: Redis 7.0's connection, server, generic, string, bitmap, list, hash,
// set, sorted set, pub/sub and transactions groups as issue 16 lists them
// (COMMAND LIST prints the table), with BITFIELD and BITFIELD_RO. Out,
// refused as an unknown command and absent from COMMAND: streams,
// HyperLogLog, geo, scripting and functions, modules, replication,
// persistence (SAVE, BGSAVE, ...), cluster, ACL users, DUMP/RESTORE,
// MONITOR, DEBUG (but DEBUG SLEEP), CLIENT
// PAUSE/UNBLOCK/TRACKING/CACHING/GETREDIR. Where the replies differ from
// redis-server's on purpose, the one table of divergences is in
// differential_sz_test.go.
//
// # Adding a command
//
// A command is one table entry and one function, in its group's file
// (cmd_list.go, ...). Each file has a slice of entries that table.go's
// commandFiles lists (one line per file):
//
//	var listCommands = []Command{
//		{Name: "lpush", Arity: -3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1,
//			Group: "list", Run: cmdLPush, Summary: "Prepends one or more elements to a list."},
//	}
//
// Name is lower case; Arity, Flags and the keys are Redis's (COMMAND INFO on
// redis-server shows them). The dispatcher has already checked the arity,
// so a handler only checks what the arity cannot say. Where says who runs it:
// OnKeySpace (the default) in the key-space actor with c.DB (the selected
// database) and c.Store; OnConn on the connection with c.Sess; OnBroker in
// the broker with c.Broker. A command whose keys follow a numkeys argument
// gives Keys (numkeysKeys): COMMAND GETKEYS and COMMAND INFO's movablekeys.
//
// A handler writes exactly one reply with c.W, and returns:
//
//	func cmdLPush(c *Call) {
//		l, ok := Lookup[*List](c, c.Args[1]) // WRONGTYPE is written for you: return
//		if !ok {
//			return
//		}
//		if l == nil {
//			l = newList()
//			c.DB.Set(c.Args[1], l, false) // a new key (Set counts as a change)
//		}
//		for _, v := range c.Args[2:] {
//			l.PushFront(v) // the list copies v: arguments are slices of their read's buffer, reused after the reply
//		}
//		c.DB.Changed(c.Args[1]) // changed in place: tell watchers and blocked clients
//		c.W.Int(int64(l.Len()))
//	}
//
// Replies: c.W.OK, Simple, Error (text with its code: "ERR ...",
// "WRONGTYPE ..."; constants ErrSyntax, ErrNotInt, ... in call.go), Int,
// Bulk, BulkString, Null (nil bulk), NullArray, Array(n) then n replies,
// Map(n) then 2n, Set(n), Double, Bool, Verbatim, Push(n). The writer
// writes each as RESP2 or RESP3 by the connection's protocol. Helpers:
// c.Int(i) and c.Float(i) parse argument i and write Redis's error if it
// is not one; c.Timeout(i) a blocking command's timeout.
//
// A handler keeps no argument past its return (a parked command keeps its
// c.Args until it answers): it copies what it keeps (clone, string(arg)).
// The arguments are slices of the read's copy, which goes back to a pool
// once the connection has its answers (parse_input.go); the package's
// tests fill what goes back with '!', so a kept argument fails them.
//
// A value type implements Value (Type, Encoding), and memory.go's
// valueSize counts it in O(1) (keep a running sum of its elements'
// lengths). A value that is changed in place must be followed by
// c.DB.Changed(key), which also has its size counted again after the
// command; DB.Set and DB.Delete call it. Delete an emptied collection's key
// (Redis never keeps an empty one).
//
// # Blocking
//
// A blocking command (BLPOP) first tries as its non-blocking form; if it has
// nothing to answer yet it writes nothing and calls
//
//	c.Block(keys, timeout, func(w *Writer) { w.NullArray() })
//
// The key space parks the request (with the replies of the commands before
// it in the pipeline; the connection's later commands wait behind it). When
// one of the keys changes (c.DB.Changed) the handler runs again, as Redis
// does, with the same c.Args and c.Woken set to the key that changed
// (Redis 7.0 serves a blocked client from that key alone, and keeps it
// blocked if the key now holds another type: cmd_list_move.go); if it can
// answer it replies, else it calls Block again and keeps its place. At the
// timeout (0: never) the function
// given writes the reply. Under MULTI (c.InMulti) Block answers with that
// function at once. A connection that ends or restarts is forgotten, and
// its parked request with it (a restarted one is then closed:
// session.Started); one CLIENT KILL chose is forgotten before the kill
// answers (clientKilled), and closes at once.
//
// # Batches and chunks
//
// A connection sends the commands of one read that go to the key space as
// ONE request (a batch: order.go), which the key space runs one command
// after the other with no other connection's between them (or the
// connection runs itself on an idle key space: direct.go). Its replies are
// made in chunks: once they pass maxChunk (1 MiB, keyspace_run.go) with
// commands left, the key space sends what it has (batchReply.More) and keeps
// the rest paused in the client's record (client.paused, which holds back
// the connection's later requests as a parked one does); the connection
// writes that chunk, then asks for the rest (more), or runs it on the
// direct path. So what one read makes the server hold is about a chunk and
// one command's reply, whatever the read asks for (2000 GETs of a 1 MiB
// value in 16 KB), and the client gets the same replies in the same order;
// other connections' commands may run between two chunks, as between two
// commands of a pipeline in Redis. EXEC's batch is never split, nor a
// shard's in cluster mode (a shard answers its batch whole).
//
// # Failure
//
// The data is in the Store, made by New and captured by the key space's
// New: when a handler panics, its command is answered with an error, the
// key-space instance fails (Internal, Restart), and the fresh one finds the
// Store. Keep every piece of state that must outlive a failure in the Store
// (or the Broker), never in the actor instance. A command that panics on
// the direct path (direct.go) is answered the same way, and the key space
// fails with its error (directFailed) for the supervisor to decide on.
package resp
