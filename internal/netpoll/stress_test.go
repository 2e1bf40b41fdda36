package netpoll

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"
)

// stressHandler echoes each Data and then acks it one of three ways, chosen
// at random: at once, on the reader (as an actor run there does); held back
// (HoldAck) and acked from another goroutine (flow control released later);
// or neither, acked from another goroutine (the actor ran elsewhere). It
// shuts the connection when reading ends, as the actor stops.
type stressHandler struct {
	c    *Conn
	rng  *rand.Rand // used on the reader only (one Data at a time)
	done chan struct{}
}

func (h *stressHandler) Data(p []byte) {
	_, _ = h.c.conn.Write(p)
	switch h.rng.IntN(3) {
	case 0:
		h.c.Ack()
	case 1:
		h.c.HoldAck()
		go h.c.Ack()
	default:
		go h.c.Ack()
	}
}

func (h *stressHandler) Ready()       {}
func (h *stressHandler) Failed(error) { h.c.Shut(true) }
func (h *stressHandler) Closed(int)   { close(h.done) }

// TestReaderStress ensures every byte comes back in order, over connections
// whose readers go from a read of their own to one raw read spanning
// deliveries (readBusy) to parked and back, under random acks (at once,
// held back, from elsewhere) and writes of random sizes up to two read
// buffers, pipelined: the echoed stream equals the sent one, and every
// connection ends (the client's FIN, then the server's) with nothing left
// running (the package's leak check).
func TestReaderStress(t *testing.T) {
	const conns, perConn = 12, 100
	opts := Options{Poller: Acquire()}
	t.Cleanup(Release)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var wg sync.WaitGroup
	for i := range conns {
		peer, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		sc, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		c := new(Conn)
		h := &stressHandler{c: c, rng: rand.New(rand.NewPCG(uint64(i), 7)), done: make(chan struct{})}
		c.Init(sc, h, &opts)
		c.Dispatcher().Schedule(func() {})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer peer.Close()
			if err := stressClient(peer, uint64(i), perConn); err != nil {
				t.Errorf("connection %d: %v", i, err)
				c.Shut(false)
			}
			select {
			case <-h.done:
			case <-time.After(10 * time.Second):
				t.Errorf("connection %d was not closed", i)
			}
		}()
	}
	wg.Wait()
}

// stressClient writes n messages of random sizes on c while reading the
// echo back, checks that it equals what it sent, and then half-closes and
// waits for the server's EOF.
func stressClient(c net.Conn, seed uint64, n int) error {
	rng := rand.New(rand.NewPCG(seed, 11))
	var sent bytes.Buffer
	for range n {
		m := make([]byte, 1+rng.IntN(2*readBufferSize))
		for j := range m {
			m[j] = byte(rng.Uint32())
		}
		sent.Write(m)
	}
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	got := make(chan error, 1)
	go func() { // the whole echo before the client's FIN: a reader that leaves input unread would stall here
		b := make([]byte, sent.Len())
		if _, err := io.ReadFull(c, b); err != nil {
			got <- err
		} else if !bytes.Equal(b, sent.Bytes()) {
			got <- fmt.Errorf("the echo differs from what was sent")
		}
		got <- nil
	}()
	rest := sent.Bytes()
	for len(rest) > 0 { // pipelined: writes of their own sizes, not the messages'
		k := min(len(rest), 1+rng.IntN(2*readBufferSize))
		if _, err := c.Write(rest[:k]); err != nil {
			return err
		}
		rest = rest[k:]
	}
	if err := <-got; err != nil {
		return err
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		return err
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		return fmt.Errorf("after the echo: %d, %v; want the server's EOF", n, err)
	}
	return nil
}
