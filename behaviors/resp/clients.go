package resp

import (
	"cmp"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/internal/shrink"
)

// clientInfo is what the server knows of one connection, for CLIENT LIST,
// CLIENT KILL and INFO: written by its session (atomics, as others read
// them), registered by the session's first incarnation, and dropped by the
// key space when the connection ends (it watches every connection).
type clientInfo struct {
	id      int64
	conn    string // the connection's name (conn-N), stable across restarts of its behavior
	addr    string
	laddr   net.Addr // the listener's: the connection holds it already, a string would cost 16 bytes more
	created time.Time

	pid        atomic.Pointer[actor.PID] // set by the key space when it first hears from the connection
	name       atomic.Pointer[string]
	db         atomic.Int32
	proto      atomic.Int32
	lastCmd    atomic.Pointer[Command]
	lastActive atomic.Int64 // Unix ms
	multi      atomic.Int32 // commands queued in MULTI, -1 outside
	subs       atomic.Int32 // channels subscribed to (the broker's commands keep it)
	psubs      atomic.Int32 // patterns subscribed to
	noEvict    atomic.Bool
	// killed: CLIENT KILL chose it. From then on it is no client of
	// CLIENT LIST, KILL or INFO, as Redis frees a killed client at once,
	// though its record stays until the connection ends (Ended).
	killed atomic.Bool // set under clients.mu (clients.kill)
}

// clients is the server's registry of connections, by conn name. byConn
// shrinks: 100 000 connections that came and went kept 3.5 MB of buckets
// before it did, which CLIENT LIST walked.
type clients struct {
	mu     sync.Mutex
	byConn shrink.Map[string, *clientInfo] // (mu)
	total  atomic.Int64                    // connections ever registered (INFO total_connections_received)
	killed int                             // records in byConn of killed connections (mu)
}

// join returns the record of the connection conn names, made on its first
// call, and whether it was there already (the fresh behavior of a restart).
func (cs *clients) join(srv *server, conn string, remote, local net.Addr) (ci *clientInfo, again bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if old := cs.byConn.M[conn]; old != nil {
		return old, true // a restart's fresh behavior
	}
	ci = &clientInfo{id: srv.nextID.Add(1), conn: conn, created: time.Now()}
	if remote != nil {
		ci.addr = remote.String()
	}
	if local != nil {
		ci.laddr = local
	}
	ci.proto.Store(2)
	ci.multi.Store(-1)
	ci.lastActive.Store(ci.created.UnixMilli())
	cs.byConn.Set(conn, ci)
	cs.total.Add(1)
	return ci, false
}

// leave drops the record of a connection that ended.
func (cs *clients) leave(conn string) {
	cs.mu.Lock()
	if ci := cs.byConn.M[conn]; ci != nil && ci.killed.Load() {
		cs.killed--
	}
	cs.byConn.Delete(conn)
	cs.mu.Unlock()
}

// kill marks ci killed (CLIENT KILL), and reports whether this call did:
// false if it was killed already or has ended.
func (cs *clients) kill(ci *clientInfo) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.byConn.M[ci.conn] != ci || !ci.killed.CompareAndSwap(false, true) {
		return false
	}
	cs.killed++
	return true
}

// list returns every record, by ID, but those of killed connections.
func (cs *clients) list() []*clientInfo {
	cs.mu.Lock()
	all := make([]*clientInfo, 0, len(cs.byConn.M))
	for _, ci := range cs.byConn.M {
		if !ci.killed.Load() {
			all = append(all, ci)
		}
	}
	cs.mu.Unlock()
	slices.SortFunc(all, func(a, b *clientInfo) int { return cmp.Compare(a.id, b.id) })
	return all
}

// count is the number of connections, but killed ones.
func (cs *clients) count() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.byConn.M) - cs.killed
}

// localAddr is the listener's address the client connected to; "" if unknown.
func (ci *clientInfo) localAddr() string {
	if ci.laddr == nil {
		return ""
	}
	return ci.laddr.String()
}
