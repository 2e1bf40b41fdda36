package actors_test

import (
	"async_server/actors"
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// BenchmarkEcho runs the echo behavior (every byte through a connection actor and
// its behavior) and a plain goroutine-per-connection echo server side by side in
// one run: 64-byte round trips over 1 and 100 connections. It reports round trips
// per second for both and their ratio (actor / plain; 1.0 is parity).
//
//	go test -run '^$' -bench BenchmarkEcho -benchtime 200000x ./actors_test/
func BenchmarkEcho(b *testing.B) {
	for _, conns := range []int{1, 100} {
		b.Run(benchName(conns), func(b *testing.B) {
			actorAddr := startServer(b, func(c *actors.Config) { c.Log.Level = "info" }).Addr
			plainAddr := startPlainEcho(b)
			// A B B A: each side runs twice, early and late, so drift in the machine's
			// speed during the run falls on both alike.
			var actor, plain time.Duration
			half := max(b.N/2, 1)
			actor += echoRoundTrips(b, actorAddr, conns, half)
			plain += echoRoundTrips(b, plainAddr, conns, half)
			plain += echoRoundTrips(b, plainAddr, conns, half)
			actor += echoRoundTrips(b, actorAddr, conns, half)
			n := float64(2 * half)
			b.ReportMetric(n/actor.Seconds(), "actor-rt/s")
			b.ReportMetric(n/plain.Seconds(), "plain-rt/s")
			b.ReportMetric(plain.Seconds()/actor.Seconds(), "ratio")
		})
	}
}

func benchName(conns int) string {
	if conns == 1 {
		return "conns=1"
	}
	return "conns=100"
}

// echoRoundTrips opens conns connections to addr and does total 64-byte round
// trips spread over them; it returns the time the round trips took.
func echoRoundTrips(b *testing.B, addr string, conns, total int) time.Duration {
	b.Helper()
	cs := make([]net.Conn, conns)
	for i := range cs {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatalf("dial: %v", err)
		}
		cs[i] = c
	}
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	msg := bytes.Repeat([]byte("x"), 64)
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	start := time.Now()
	for i, c := range cs {
		n := total / conns
		if i < total%conns {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, len(msg))
			for range n {
				if _, err := c.Write(msg); err != nil {
					errs <- err
					return
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatalf("round trip: %v", err)
	}
	return elapsed
}

// startPlainEcho starts the reference: a plain goroutine-per-connection echo
// server with a 16 KiB buffer (the same read size as the actor server's reader).
func startPlainEcho(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatalf("listen: %v", err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				buf := make([]byte, 16<<10)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						if _, werr := c.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	b.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}
