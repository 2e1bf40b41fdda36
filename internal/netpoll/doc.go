// Package netpoll is async_server's I/O engine: it reads a connection's
// socket and runs the connection's actor on the connection's own goroutines,
// so that an idle connection holds no goroutine and no read buffer (1.8 KiB
// in all, a quarter of a plain goroutine-per-connection server's), and a busy
// one makes its round trips without a goroutine hand-off. It knows nothing of
// actors: the actors package's connection actor owns a Conn and hears from
// it through a Handler; the Dispatcher has protoactor's dispatcher methods.
//
// # The reader's role
//
// A Conn's reader turns input into Handler.Data calls, one at a time (the next
// read waits for Ack), and ends with one Handler.Failed; it owns the final
// close of the socket. It is a role, not a goroutine, held by one party at a
// time:
//
//   - hot (serve, reader.go): a runner (runners.go), while input flows. It
//     waits for input in the runtime's netpoller holding no buffer (readHot),
//     takes one from a pool to read, delivers each read to the owner, whose
//     actor runs right there (the Dispatcher runs a mailbox the reader woke on
//     the reader), waits for the ack and reads again, into the same buffer if
//     input is already there. A busy connection's reader does all that inside
//     one raw read of the socket (readBusy), so a read that leaves the socket
//     empty is its last before it waits: one read per request, where a Read
//     per request makes two. An owner that has handled the input but holds
//     its ack back (its input must wait) says so with HoldAck, and the reader
//     returns its buffer to the pool and parks: it gives its runner back, and
//     the Ack starts it again on a runner (resume), so a connection whose input
//     waits holds no goroutine and no buffer, as an idle one. The runner that ran the actor's Started begins
//     as the reader (begin). After a hot spell without input (hotFor;
//     hotForNew for a new connection) the role goes cold: a new
//     connection's spell ends at a socket deadline, a busy one's when the
//     sweeper (sweep.go) wakes its reader.
//   - cold: the Poller (poller_linux.go), an epoll instance with one
//     goroutine for every connection of the process. When the socket becomes
//     readable it hands the role to a runner again; when the connection's read
//     deadline passes (deadlines_linux.go), to a runner that ends it unless
//     input is waiting after all (look: a process stopped past a deadline is
//     not an idle peer); Shut takes it back to end it. A socket epoll refuses
//     is read by a blocking reader on its runner instead (readHeld).
//
// Whoever holds the role when the connection ends ends it (end.go): tells the
// owner (Failed), waits for its Shut, drains, closes the socket and calls
// Handler.Closed.
//
// A TLS connection reads through crypto/tls, which may hold input it has read
// from the socket but not yet returned (a second record), so readiness of the
// socket says nothing about it: its reader is one goroutine that holds its
// buffer for the connection's life (read, readHeld), as net/http's does, and
// runs the handshake first; so does every connection where there is no
// Poller.
//
// # Goroutines
//
// The Poller's one goroutine runs from the first Acquire to the last Release,
// which waits for it to exit. Runners (runners.go) each run one mailbox run at
// a time (Go) and exit after 20 to 40 ms parked, ended by a reaper goroutine
// that runs only while some runner is parked. The sweeper's goroutine
// (sweep.go) runs only while some busy connection's reader is hot, and exits
// as the last one leaves its set. A TLS connection's reader exits
// after Handler.Closed.
//
// # Files
//
//	conn.go            Conn, Handler, Options: the API the connection actor uses
//	reader.go          the reader's role: begin, serve hot, go cold, deliver
//	deadline.go        the read deadlines: idle, the behavior's, the hot spell's
//	sweep.go           the sweeper: ends busy connections' hot spells
//	end.go             ending: tell the owner, drain, close; the TLS handshake
//	unacked_linux.go   the socket's queues: Unacked (what the peer has not
//	                   acknowledged, before a hard Shut), Unread (input not yet read)
//	read_linux.go      the hot reader's read, without a held buffer
//	sys_linux.go       the socket's reads and writes, raw system calls (WriteNow)
//	poller_linux.go    the Poller: epoll for cold connections, its loop and expiry
//	watch_linux.go     handing the role to the Poller and back; the slot table
//	deadlines_linux.go the Poller's heap of cold connections' read deadlines
//	dispatch.go        Dispatcher (a connection's), RunnerDispatcher (any actor's)
//	runners.go         the runner goroutines and their reaper
package netpoll
