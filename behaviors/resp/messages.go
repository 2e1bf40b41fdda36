package resp

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// The messages between a connection (session) and the resp services. All are
// plain data: a command is named by its index in the table, which every node
// builds the same.

// batch is the body of a connection's ServiceRequest to the key space or the
// broker: the commands of one read that go there, in order, run one after
// the other with nothing of another connection's between them (a pipeline
// crosses to the service in one message, not one per command). The service
// answers with one batchReply; the key space, past maxChunk, with several
// (batchReply.More), each asked for once the last is written (more).
type batch struct {
	Proto int   // the connection's protocol when it sent them (2 or 3)
	Cmds  []cmd // at least one
	// Exec makes the batch EXEC's transaction: run atomically (serving
	// blocked clients only after the last), blocking commands not blocking,
	// refused as a whole (a null array) if a key the connection watches has
	// changed, and answered as one array reply.
	Exec    bool
	ExecLen int  // EXEC: the array's length (the connection's own commands among them count)
	Abort   bool // EXEC of a transaction refused while queueing: EXECABORT, and forget the watches
	Shard   int  // cluster mode: the shard grain its commands' keys are in (the shard router's)
	// The connection's stamp of the read that made the batch: the wall
	// clock (Unix ns) and monoNow at one instant, so that the key space,
	// with its own monotonic reading, knows the wall clock without reading
	// it again (wallAt). Zero: none (a shard's batch from the wire).
	Wall int64
	Mono time.Duration
}

// stampFresh is how old a batch's stamp may be for wallAt to derive the
// wall clock from it: a step of the system clock since the stamp (NTP) is
// missed for at most this long.
const stampFresh = time.Second

// wallAt is the wall clock, in Unix ms, at mono (a monoNow reading): from
// the batch's stamp when it is recent, else read. At redis-benchmark -P 1
// the key space's time.Now (two clock reads) was a quarter of the server's
// clock reading, which was 2.6% of its CPU.
func (b *batch) wallAt(mono time.Duration) int64 {
	if d := mono - b.Mono; b.Mono != 0 && d >= 0 && d < stampFresh {
		return (b.Wall + int64(d)) / int64(time.Millisecond)
	}
	return time.Now().UnixMilli()
}

// cmd is one command of a batch.
type cmd struct {
	Index int      // in table
	DB    int      // the connection's selected database when it sent it
	Args  [][]byte // its words, never changed once sent
}

// batchReply answers a batch: the replies, one after the other, and where
// each ends (Ends[i] is the end of command i's in Out). EXEC's starts with
// the array's header, so Ends[0] is its end and Ends[i+1] command i's.
type batchReply struct {
	Out  []byte
	Ends []int
	// Aborted: EXEC did not run (EXECABORT, or a watched key changed): Out
	// is the whole reply, and the connection's own commands' replies go.
	Aborted bool
	// More: a chunk (keyspace_run.go's maxChunk). Ends are those of the
	// commands it answers, the first ones not answered yet, in Out from 0;
	// the rest is paused in the key space until the connection, having
	// written these, asks for it (more).
	More bool
	// job is the key space's job these are fields of (nil for any other
	// reply): the connection hands it back once it has copied Out (release).
	job *job
}

// clientReset is what a connection's fresh behavior sends the key space and
// the broker when it starts: forget what this connection asked before (a
// crashed behavior's parked requests, watches, subscriptions), since the
// connection actor, and so its PID, outlives the restart that made it. The
// key space also gives the server's registry record of the connection its
// PID (CLIENT KILL), and makes no record of its own: that comes with the
// connection's first key-space command.
type clientReset struct {
	Conn string // the connection's name (conn-N)
}

// peerGone is what a connection sends the key space when its peer has
// closed (EOF): its parked request, and those queued behind it, will never
// be read, so they are answered at once with abandoned (their connection
// then owes nothing and ends) and take no data meant for a live client.
type peerGone struct{}

// abandoned is the body of the reply to a request dropped for peerGone.
type abandoned struct{}

// more is what a connection sends the key space (a ServiceRequest's body)
// once it has written a chunk of a request's replies (batchReply.More):
// run the next chunk of its paused request, answered as this request.
type more struct{}

// askMore is every ask's body: more holds nothing.
var askMore = &more{}

// expireTick is the key space's timer: time to sample keys for the active
// expiry (expire.go).
type expireTick struct{}

// IgnoreDeadLetterLogging keeps a tick that fires as the key space stops out
// of the dead-letter log.
func (*expireTick) IgnoreDeadLetterLogging() {}

// wakeUp is the key space's timer for parked requests: the earliest timeout
// may have passed.
type wakeUp struct{}

// IgnoreDeadLetterLogging: as expireTick's.
func (*wakeUp) IgnoreDeadLetterLogging() {}

// killClient is what CLIENT KILL sends the connections it kills: close at
// once, with what is owed unwritten, as Redis frees a killed client.
type killClient struct{}

// clientKilled is what CLIENT KILL sends the key space: forget the killed
// connection's parked request, its queued ones and its watches now, with no
// answer (the connection closes without them). The killer sends it, naming
// the connection (PID), before its reply, so that a push sent once the
// reply is read finds the killed client's BLPOP gone and serves the next
// waiter; the killed connection sends it again (PID nil: the sender) as it
// closes, after any request it sent meanwhile. Its end (Terminated) then
// drops the key space's record of it.
type clientKilled struct {
	PID *actor.PID
}

// Size is what the reply counts against the connection's -output-limit and
// the memory budget (actors' outbox): its bytes. Without it a reply counted
// as a small message, and a client pipelining GETs that reads nothing had
// ~2.4 MB per 16 KiB read queued for it past any limit.
func (r *batchReply) Size() int { return len(r.Out) + 8*len(r.Ends) }

// Unlimited says the reply counts against no output limit (actors' outbox),
// only for the memory budget: it is the key space's answer to the
// connection's own request, and holds one command's reply, which the data
// bounds (LRANGE of a big list), as a chunk holds at most one past
// maxChunk. Redis's normal clients have no output limit; a reply of many
// commands (a pipeline answered whole) still has it.
func (r *batchReply) Unlimited() bool { return r.job != nil && len(r.Ends) == 1 }
