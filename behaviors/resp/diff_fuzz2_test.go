package resp_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"testing"
	"time"

	"async_server/testkit"
)

// FuzzDifferentialTwoClients is FuzzDifferential with two clients of each
// server taking turns, one command at a time, each reply read before the
// next command goes: what one client's commands do to the other's
// transaction, WATCH, database or protocol (a WATCH on one, a write on the
// other, the first one's EXEC). A program's first two bytes say which
// client sends each command; RESET on both and FLUSHALL start it.
//
//	go test -run '^$' -fuzz FuzzDifferentialTwoClients -fuzztime 1m ./behaviors/resp/
func FuzzDifferentialTwoClients(f *testing.F) {
	redisAddr := startRedisServer(f)
	srv := testkit.Start(f, "resp")
	ref := []*turnConn{{addr: redisAddr}, {addr: redisAddr}}
	ours := []*turnConn{{addr: srv.Addr}, {addr: srv.Addr}}
	f.Cleanup(func() {
		for _, c := range append(ref, ours...) {
			c.close()
		}
	})
	for _, seed := range [][]byte{
		// 0: WATCH a; 1: SET a 1; 0: MULTI; 0: INCR a; 0: EXEC
		{0x02, 0x00, 170, 0, 0, 0, 0, 0, 2, 0, 167, 0, 24, 0, 0, 168, 0},
		// 0: SELECT 1; 1: SET a 1; 0: WATCH a; 1: SWAPDB 0 1; 0: MULTI; 0: INCR a; 0: EXEC
		{0x0a, 0x00, 58, 1, 0, 0, 0, 2, 0, 170, 0, 0, 0, 59, 0, 1, 0, 167, 0, 24, 0, 0, 168, 0},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, program []byte) {
		if len(program) < 3 {
			return
		}
		who := uint16(program[0]) | uint16(program[1])<<8
		cmds := decodeProgram(program[2:])
		want, got := playTurns(t, ref, who, cmds), playTurns(t, ours, who, cmds)
		if !bytes.Equal(want, got) {
			t.Errorf("commands (client: command):\n%s\nredis-server:\n%s\nasync_server:\n%s",
				showTurns(who, cmds), want, got)
		}
	})
}

// playTurns resets both clients, flushes the data, then sends command i on
// client who>>i&1 and records its reply, a line per command.
func playTurns(t *testing.T, conns []*turnConn, who uint16, cmds [][]string) []byte {
	t.Helper()
	for _, c := range conns {
		c.call(t, []string{"RESET"})
	}
	conns[0].call(t, []string{"FLUSHALL"})
	var out bytes.Buffer
	for i, cmd := range cmds {
		n := who >> i & 1
		fmt.Fprintf(&out, "%d: %q\n", n, helloID.ReplaceAll(conns[n].call(t, cmd), []byte("${1}N")))
	}
	return out.Bytes()
}

func showTurns(who uint16, cmds [][]string) string {
	var b bytes.Buffer
	for i, c := range cmds {
		fmt.Fprintf(&b, "%d: %s", who>>i&1, showCommands([][]string{c}))
	}
	return b.String()
}

// turnConn is a client kept across a fuzz run's inputs, dialled again
// when one has closed it (QUIT).
type turnConn struct {
	addr string
	c    net.Conn
	r    *bufio.Reader
}

func (k *turnConn) close() {
	if k.c != nil {
		k.c.Close()
		k.c = nil
	}
}

// call sends args and returns its one reply; after QUIT, the reply and the
// close ("<closed>").
func (k *turnConn) call(t *testing.T, args []string) []byte {
	t.Helper()
	if k.c == nil {
		c, err := net.Dial("tcp", k.addr)
		if err != nil {
			t.Fatal(err)
		}
		k.c, k.r = c, bufio.NewReader(c)
	}
	var in bytes.Buffer
	writeCommand(&in, args)
	_ = k.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := k.c.Write(in.Bytes()); err != nil {
		t.Fatalf("%s: %v", k.addr, err)
	}
	var out bytes.Buffer
	if err := readReply(k.r, &out); err != nil {
		k.close()
		return append(out.Bytes(), "<closed>"...)
	}
	return out.Bytes()
}
