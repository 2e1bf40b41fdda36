package resp_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"async_server/testkit"
)

// TestRepliesExactUnderLoad ensures that what the server recycles between
// requests (the key space's jobs and their reply buffers, the connections'
// segments, the parser's buffers) is never reused while still in use: many
// clients pipeline at once, each round a different depth, values of
// different lengths, connection commands (ECHO) among the key space's, a
// blocking pop served at once, and one client whose BLPOP parks (its next
// command queued behind it) until another client's push wakes it; every
// reply is checked byte for byte. A job handed back before its connection
// copied its answer, or touched by the key space after it sent it, shows
// here as a reply of another client's (or, under -race, as a race).
func TestRepliesExactUnderLoad(t *testing.T) {
	srv := testkit.Start(t, "resp")
	const clients, rounds = 12, 150
	var wg sync.WaitGroup
	errs := make(chan error, clients+2)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- pipelineRounds(srv.Addr, i, rounds)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs <- parkedRounds(srv.Addr, rounds/3)
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// pipelineRounds is one client's part of TestRepliesExactUnderLoad.
func pipelineRounds(addr string, id, rounds int) error {
	c, err := net.DialTimeout("tcp", addr, testkit.DefaultTimeout)
	if err != nil {
		return err
	}
	defer c.Close()
	r := bufio.NewReader(c)
	n := 0 // INCR's count
	for round := range rounds {
		var req, want strings.Builder
		for g := range 1 + (id+round)%5 {
			key := fmt.Sprintf("k:%d", id)
			val := fmt.Sprintf("v:%d:%d:%d:%s", id, round, g, strings.Repeat("x", (id*7+round*13+g)%90))
			echo := fmt.Sprintf("e:%d:%d", id, round)
			list, item := fmt.Sprintf("l:%d", id), fmt.Sprintf("i:%d:%d", id, round)
			n++
			req.WriteString(command("SET", key, val) + command("GET", key) + command("INCR", "n:"+key) +
				command("ECHO", echo) + command("RPUSH", list, item) + command("BLPOP", list, "0"))
			want.WriteString(fmt.Sprintf("+OK\r\n%s:%d\r\n%s:1\r\n*2\r\n%s%s", bulk(val), n, bulk(echo), bulk(list), bulk(item)))
			if round%4 == 0 {
				req.WriteString(command("GET", "missing:"+key))
				want.WriteString("$-1\r\n")
			}
		}
		if err := roundTrip(c, r, req.String(), want.String()); err != nil {
			return fmt.Errorf("client %d, round %d: %w", id, round, err)
		}
	}
	return nil
}

// parkedRounds has one client park on BLPOP, with a GET queued behind it,
// until a second client's RPUSH wakes it: the key space answers it from
// the other client's request.
func parkedRounds(addr string, rounds int) error {
	var cs [2]net.Conn
	for i := range cs {
		c, err := net.DialTimeout("tcp", addr, testkit.DefaultTimeout)
		if err != nil {
			return err
		}
		defer c.Close()
		cs[i] = c
	}
	blocked, pusher := bufio.NewReader(cs[0]), bufio.NewReader(cs[1])
	if err := roundTrip(cs[0], blocked, command("SET", "pk", "pv"), "+OK\r\n"); err != nil {
		return err
	}
	for round := range rounds {
		item := fmt.Sprintf("p:%d", round)
		if _, err := cs[0].Write([]byte(command("BLPOP", "pq", "0") + command("GET", "pk"))); err != nil {
			return err
		}
		if err := roundTrip(cs[1], pusher, command("RPUSH", "pq", item), ":1\r\n"); err != nil {
			return fmt.Errorf("pusher, round %d: %w", round, err)
		}
		if err := roundTrip(cs[0], blocked, "", "*2\r\n"+bulk("pq")+bulk(item)+bulk("pv")); err != nil {
			return fmt.Errorf("blocked client, round %d: %w", round, err)
		}
	}
	return nil
}

// roundTrip writes req (if any) and reads exactly as many bytes as want.
func roundTrip(c net.Conn, r *bufio.Reader, req, want string) error {
	if err := c.SetDeadline(time.Now().Add(testkit.DefaultTimeout)); err != nil {
		return err
	}
	if req != "" {
		if _, err := c.Write([]byte(req)); err != nil {
			return err
		}
	}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(r, got); err != nil {
		return fmt.Errorf("%w after %q", err, got)
	}
	if !bytes.Equal(got, []byte(want)) {
		return fmt.Errorf("replies\n%q; want\n%q", got, want)
	}
	return nil
}

// command is args as a RESP multibulk command.
func command(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		b.WriteString(bulk(a))
	}
	return b.String()
}

func bulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }
