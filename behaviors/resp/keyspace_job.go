package resp

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/messages"
)

// job is one batch in the key space: a request being run, parked, or queued
// behind its connection's parked one.
//
// Its life: the key space takes it from jobs (newJob) for a request, runs
// it, and sends its answer (reply), which is fields of the job; from that
// send on the key space never touches it again. The connection copies the
// answer's bytes into its own output (session.collect) and only then hands
// the job back (release). A job whose answer is never collected (its
// connection ended, the answer was dropped as not matching) is left to the
// garbage collector. The job was half of what the server allocated per
// command under redis-benchmark (352 bytes a request, and at -P 16 its
// reply buffer and ends besides).
type job struct {
	client  *actor.PID
	id      uint64 // the ServiceRequest's ID
	b       *batch
	at      int // the next command to run
	w       Writer
	ends    []int
	aborted bool // an EXEC that did not run
	call    Call // the command being run

	// The answer's parts, in the job (one allocation, not three): it is
	// sent once, when the job is done, and nothing touches the job after.
	reply batchReply
	msg   messages.ServiceReply
	end1  [1]int // ends' array for a request of one command
	// out1 is the reply's buffer for a request of one command, until the
	// reply outgrows it (+OK, :1, a short bulk fit): 24 bytes make the job
	// 352, its size class as it was without them.
	out1 [24]byte
}

// jobs recycles the jobs whose answers their connections have copied.
var jobs = sync.Pool{New: func() any { return new(job) }}

// newJob is a job for request id of client, with its reply buffer and ends
// sized for b's commands: the common replies (+OK, :1, a short bulk) of a
// pipeline fit without growing. A recycled job keeps the arrays it had.
func newJob(client *actor.PID, id uint64, b *batch) *job {
	j := jobs.Get().(*job)
	j.client, j.id, j.b, j.w.Proto = client, id, b, b.Proto
	n := len(b.Cmds) + 1
	if want := min(16*n, maxReplyHint); cap(j.w.buf) < want && n > 2 {
		j.w.buf = make([]byte, 0, want)
	} else if j.w.buf == nil {
		j.w.buf = j.out1[:0]
	}
	if cap(j.ends) < n && n > 2 {
		j.ends = make([]int, 0, n)
	} else if j.ends == nil {
		j.ends = j.end1[:0]
	}
	return j
}

// maxReplyHint bounds the reply buffer a request starts with, and the one a
// recycled job keeps.
const maxReplyHint = 4 << 10

// maxEndsKept bounds the ends array a recycled job keeps.
const maxEndsKept = 256

// release hands back a job whose answer its connection has copied out (see
// job). Its arrays stay with it, unless large; nothing else it pointed to
// (the batch, the connection, the command's arguments) is kept.
func (j *job) release() {
	buf, ends := j.w.buf, j.ends
	*j = job{}
	if cap(buf) <= maxReplyHint && cap(buf) > len(j.out1) {
		j.w.buf = buf[:0]
	}
	if cap(ends) <= maxEndsKept && cap(ends) > len(j.end1) {
		j.ends = ends[:0]
	}
	jobs.Put(j)
}
