package actors_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/chat"
)

// BenchmarkChatFanout runs the chat behavior and a plain Go chat server (a
// goroutine per connection, a mutex-guarded room map, a writer goroutine per
// member that batches what is queued for it) side by side in one run: one sender, 100 members of a room, 64-byte lines.
// It reports lines delivered per second (lines sent x members) for both and
// their ratio (actor / plain; 1.0 is parity), A B B A.
//
//	go test -run '^$' -bench BenchmarkChatFanout -benchtime 20000x ./actors_test/
func BenchmarkChatFanout(b *testing.B) { benchChat(b, (*fanout).run) }

// benchChat runs send (n lines from the sender to every member of a room of
// 100) on the chat behavior and the plain server, A B B A, and reports lines
// delivered per second for both and their ratio (actor / plain).
func benchChat(b *testing.B, send func(f *fanout, b *testing.B, n int) time.Duration) {
	const members = 100
	actorAddr := startBehavior(b, "chat", func(c *actors.Config) {
		c.Log.Level = "info"
		c.Options.Chat = chat.Options{} // no flood control: the fan-out is measured, as the plain server has none
	}).Addr
	plainAddr := startPlainChat(b)
	actorRoom := fanoutRoom(b, actorAddr, members)
	plainRoom := fanoutRoom(b, plainAddr, members)
	b.ResetTimer()
	var actor, plain time.Duration
	half := max(b.N/2, 1)
	actor += send(actorRoom, b, half)
	plain += send(plainRoom, b, half)
	plain += send(plainRoom, b, half)
	actor += send(actorRoom, b, half)
	n := float64(2 * half * members)
	b.ReportMetric(n/actor.Seconds(), "actor-lines/s")
	b.ReportMetric(n/plain.Seconds(), "plain-lines/s")
	b.ReportMetric(plain.Seconds()/actor.Seconds(), "ratio")
}

// fanout is a room of members and one sender, on one server.
type fanout struct {
	sender  *lineClient
	members []*lineClient
}

// fanoutRoom connects members, then the sender, into room "bench" at addr,
// and waits until every member has read the notices of those who joined after
// it.
func fanoutRoom(b *testing.B, addr string, members int) *fanout {
	b.Helper()
	f := &fanout{}
	join := func(nick string) *lineClient {
		c, err := dialLineClient(addr)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		c.send(b, "/nick "+nick, "/join bench")
		skipUntil(b, c, "* you joined bench")
		return c
	}
	for i := range members {
		f.members = append(f.members, join(fmt.Sprintf("m%d", i)))
	}
	f.sender = join("sender")
	for _, m := range f.members {
		skipUntil(b, m, "* sender joined bench")
	}
	return f
}

// skipUntil reads lines until one starts with prefix.
func skipUntil(b *testing.B, c *lineClient, prefix string) {
	b.Helper()
	for {
		line := readLine(b, c, c.r)
		if strings.HasPrefix(line, prefix) {
			return
		}
	}
}

// run sends n lines and returns how long it took until every member had read
// them all.
func (f *fanout) run(b *testing.B, n int) time.Duration {
	b.Helper()
	text := bytes.Repeat([]byte("x"), 63)
	out := make([]byte, 0, n*64)
	for range n {
		out = append(append(out, text...), '\n')
	}
	errs := make(chan error, len(f.members)+1)
	var wg sync.WaitGroup
	start := time.Now()
	for _, m := range f.members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- readLines(m, n)
		}()
	}
	go func() {
		_ = f.sender.SetWriteDeadline(time.Now().Add(time.Minute))
		_, err := f.sender.Write(out)
		errs <- err
	}()
	wg.Wait()
	elapsed := time.Since(start)
	for range len(f.members) + 1 {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	return elapsed
}

// readLines reads until c has had n more lines.
func readLines(c *lineClient, n int) error {
	_ = c.SetReadDeadline(time.Now().Add(time.Minute))
	buf := make([]byte, 64<<10)
	for n > 0 {
		k, err := c.r.Read(buf)
		n -= bytes.Count(buf[:k], []byte("\n"))
		if err != nil {
			return err
		}
	}
	return nil
}

// startPlainChat starts the reference: the chat behavior's protocol as far as
// the benchmark uses it (/nick, /join, lines), written the usual way: a
// goroutine per connection reading lines, one mutex over the rooms, and a
// writer goroutine per member fed by a channel, which writes everything queued
// for its member in one write. (Writing to every member under the lock, the
// simplest way, is two orders of magnitude slower here: one system call per
// line per member.)
func startPlainChat(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatalf("listen: %v", err)
	}
	srv := &plainChat{rooms: map[string]map[*plainMember]bool{}}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			m := &plainMember{conn: c, nick: "guest", out: make(chan []byte, 256)}
			wg.Add(2)
			go func() {
				defer wg.Done()
				m.write()
			}()
			go func() {
				defer wg.Done()
				defer c.Close()
				srv.serve(m)
			}()
		}
	}()
	b.Cleanup(func() { ln.Close(); srv.closeAll(); wg.Wait() })
	return ln.Addr().String()
}

type plainChat struct {
	mu    sync.Mutex
	rooms map[string]map[*plainMember]bool
}

type plainMember struct {
	conn       net.Conn
	nick, room string      // touched by serve only
	out        chan []byte // lines for the member; closed by leave
}

// write writes what is queued for the member, batching whatever is waiting.
func (m *plainMember) write() {
	w := bufio.NewWriterSize(m.conn, 64<<10)
	for line := range m.out {
		w.Write(line)
		for len(m.out) > 0 {
			w.Write(<-m.out)
		}
		if w.Flush() != nil {
			break
		}
	}
	for range m.out { // drain until leave closes it
	}
}

func (s *plainChat) serve(m *plainMember) {
	c := m.conn
	defer s.leave(m)
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "/nick "):
			m.nick = line[len("/nick "):]
			m.out <- []byte("* you are now " + m.nick + "\n")
		case strings.HasPrefix(line, "/join "):
			s.join(m, line[len("/join "):])
		default:
			s.say(m, "["+m.room+"] "+m.nick+": "+line+"\n")
		}
	}
}

func (s *plainChat) join(m *plainMember, room string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rooms[room] == nil {
		s.rooms[room] = map[*plainMember]bool{}
	}
	m.room = room
	s.rooms[room][m] = true
	m.out <- fmt.Appendf(nil, "* you joined %s (%d members)\n", room, len(s.rooms[room]))
	s.sayLocked(m, "* "+m.nick+" joined "+room+"\n")
}

func (s *plainChat) say(m *plainMember, line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sayLocked(m, line)
}

func (s *plainChat) sayLocked(m *plainMember, line string) {
	b := []byte(line)
	for other := range s.rooms[m.room] {
		if other != m {
			other.out <- b // a full queue holds the talker back
		}
	}
}

func (s *plainChat) leave(m *plainMember) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.rooms[m.room], m)
	close(m.out)
}

// closeAll closes every member's connection, so serve returns.
func (s *plainChat) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rooms {
		for m := range r {
			m.conn.Close()
		}
	}
}

// BenchmarkChatTyped is BenchmarkChatFanout for a person typing: the sender
// writes one line and waits until a member has it before the next, so every
// line is a read of its own on the server and a fan-out of its own (no
// batching for either server). It reports lines delivered per second for both
// and their ratio, A B B A.
//
//	go test -run '^$' -bench BenchmarkChatTyped -benchtime 5000x ./actors_test/
func BenchmarkChatTyped(b *testing.B) { benchChat(b, (*fanout).typed) }

// typed sends n lines one at a time, each after the last member has read the
// one before, and returns how long it took until every member had read them all.
func (f *fanout) typed(b *testing.B, n int) time.Duration {
	b.Helper()
	line := append(bytes.Repeat([]byte("x"), 63), '\n')
	last := f.members[len(f.members)-1]
	errs := make(chan error, len(f.members))
	var wg sync.WaitGroup
	start := time.Now()
	for _, m := range f.members[:len(f.members)-1] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- readLines(m, n)
		}()
	}
	_ = f.sender.SetWriteDeadline(time.Now().Add(time.Minute))
	_ = last.SetReadDeadline(time.Now().Add(time.Minute))
	for i := range n {
		if _, err := f.sender.Write(line); err != nil {
			b.Fatalf("line %d: %v", i, err)
		}
		if _, err := last.r.ReadSlice('\n'); err != nil {
			b.Fatalf("line %d: %v", i, err)
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	return elapsed
}
