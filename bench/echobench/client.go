package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// runClient is echobench's client: conns connections to addr, each making
// size-byte round trips in a loop, for a warm-up of dur/4 and then dur: all
// of them from one epoll loop (loop, loopTrips), or each from a goroutine of
// its own. It prints the round trips of the timed part and of the whole run.
func runClient(addr string, conns, size int, dur time.Duration, loop bool, out io.Writer) error {
	if conns < 1 {
		return fmt.Errorf("bad connection count %d", conns)
	}
	cs := make([]net.Conn, 0, conns)
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	for range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		cs = append(cs, c)
	}
	var (
		total, atStart atomic.Int64
		stop           atomic.Bool
		wg             sync.WaitGroup
		errs           = make(chan error, conns)
	)
	run := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				errs <- err
			}
		}()
	}
	if loop {
		run(func() error { return loopTrips(cs, size, &stop, &total) })
	} else {
		for _, c := range cs {
			run(func() error { return trips(c, size, &stop, &total) })
		}
	}
	time.Sleep(dur / 4) // the warm-up: every connection busy, the servers' runners grown
	atStart.Store(total.Load())
	time.Sleep(dur)
	timed := total.Load() - atStart.Load()
	stop.Store(true)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	fmt.Fprintln(out, timed, total.Load())
	return nil
}

// trips makes round trips on c until stop, counting each in total, and
// checks that every byte comes back as sent.
func trips(c net.Conn, size int, stop *atomic.Bool, total *atomic.Int64) error {
	msg, got := bytes.Repeat([]byte("e"), size), make([]byte, size)
	for !stop.Load() {
		if _, err := c.Write(msg); err != nil {
			return err
		}
		if _, err := io.ReadFull(c, got); err != nil {
			return err
		}
		if !bytes.Equal(got, msg) {
			return fmt.Errorf("echo returned %q for %q", got, msg)
		}
		total.Add(1)
	}
	return nil
}
