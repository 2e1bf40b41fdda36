//go:build linux

package netpoll

import (
	"sync"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkColdCycle measures the round trip of a connection that goes cold
// after every request, as a keep-alive client that pauses longer than the hot
// spell does: each round trip hands the reader's role to the poller (watch)
// and back (an epoll event, take, a runner). The hot spells are made a
// microsecond long, so every wait for input is cold. cpu-ns/op is the
// process's CPU time (the clients' too) per round trip.
//
//	go test -run '^$' -bench BenchmarkColdCycle ./internal/netpoll/
func BenchmarkColdCycle(b *testing.B) {
	for _, conns := range []int{1, 50} {
		b.Run(map[int]string{1: "conns=1", 50: "conns=50"}[conns], func(b *testing.B) {
			savedFor, savedNew := hotFor, hotForNew
			hotFor, hotForNew = time.Microsecond, time.Microsecond
			b.Cleanup(func() { hotFor, hotForNew = savedFor, savedNew })
			p := Acquire()
			b.Cleanup(Release)
			ss := make([]*served, conns)
			for i := range ss {
				ss[i] = serveEcho(b, Options{Poller: p})
			}
			per := max(b.N/conns, 1)
			b.ResetTimer()
			cpu := cpuTime()
			var wg sync.WaitGroup
			for _, s := range ss {
				wg.Add(1)
				go func() {
					defer wg.Done()
					buf := make([]byte, 1)
					for range per {
						if _, err := s.peer.Write(buf); err != nil {
							b.Error(err)
							return
						}
						if _, err := s.peer.Read(buf); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(cpuTime()-cpu)/float64(per*conns), "cpu-ns/op")
		})
	}
}
