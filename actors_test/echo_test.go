package actors_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"async_server/testkit"
)

// TestEchoLines ensures the echo behavior writes every line back, and a
// chunk that is not a line as it is.
func TestEchoLines(t *testing.T) {
	c := testkit.Start(t, "echo").Dial(t)
	for i := range 3 {
		line := fmt.Sprintf("line %d", i)
		c.SendLine(line)
		c.ExpectLine(line)
	}
	c.SendString("no newline\x00\r")
	c.ExpectString("no newline\x00\r")
}

// TestEchoMebibyteBinary ensures 1 MiB of random binary data (every byte value,
// newlines and NULs included) comes back byte for byte, written and read at once
// so that neither side waits for the other to finish.
func TestEchoMebibyteBinary(t *testing.T) {
	c := testkit.Start(t, "echo").Dial(t)
	data := randomBytes(1, 1<<20)
	if err := echoRoundTrip(c.Conn, data); err != nil {
		t.Fatal(err)
	}
}

// TestEchoConcurrentClients ensures 200 clients echoing at the same time each get
// back exactly their own data.
func TestEchoConcurrentClients(t *testing.T) {
	const clients = 200
	s := testkit.Start(t, "echo")
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Go(func() {
			c, err := net.DialTimeout("tcp", s.Addr, waitTimeout)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			if err := echoRoundTrip(c, randomBytes(uint64(i+2), 16<<10)); err != nil {
				errs <- fmt.Errorf("client %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// echoRoundTrip writes data to c while reading the same amount back, and
// compares.
func echoRoundTrip(c net.Conn, data []byte) error {
	_ = c.SetDeadline(time.Now().Add(waitTimeout))
	written := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		written <- err
	}()
	got := make([]byte, len(data))
	_, rerr := io.ReadFull(c, got)
	if err := <-written; err != nil {
		return fmt.Errorf("writing %d bytes: %w", len(data), err)
	}
	if rerr != nil {
		return fmt.Errorf("reading the echo of %d bytes: %w", len(data), rerr)
	}
	if i := firstDifference(got, data); i >= 0 {
		return fmt.Errorf("echo differs at byte %d of %d: got %q; want %q",
			i, len(data), window(got, i), window(data, i))
	}
	return nil
}

// randomBytes returns n pseudo-random bytes, the same for the same seed.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// firstDifference returns the index of the first byte where a and b differ, or
// -1 when they are equal.
func firstDifference(a, b []byte) int {
	if bytes.Equal(a, b) {
		return -1
	}
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// window is up to 16 bytes of b from i, for a failure message.
func window(b []byte, i int) []byte {
	return b[i:min(len(b), i+16)]
}
