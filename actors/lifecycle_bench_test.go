//go:build unix

package actors

import (
	"io"
	"log/slog"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/internal/netpoll"
)

// BenchmarkActorLifecycle is the least an actor per connection costs: the
// lifecycle of one protoactor actor as the server sets protoactor up (the
// compact registry, runners, the lock-free mailbox), with nothing of a
// connection in it: a parent spawns it, it stops itself at Started, and the
// parent hears Terminated. At most lifecycleLive are alive at once, as
// BenchmarkAcceptRate's 50 dialers keep about 50 connections open. Beside it, what a goroutine per connection pays
// instead: a goroutine started and ended. Both report the process's CPU per
// op (getrusage), which is what the accept rate follows when the clients
// share the cores (docs/benchmarks.md, "Idle memory and accept rate"):
//
//	go test -run '^$' -bench 'Lifecycle' -benchtime 200000x -count 3 ./actors/
func BenchmarkActorLifecycle(b *testing.B) {
	sys := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}))
	compactRegistry(sys)
	child := actor.PropsFromProducer(func() actor.Actor { return selfStopper{} },
		actor.WithDispatcher(netpoll.RunnerDispatcher{}), actor.WithMailbox(actor.UnboundedLockfree()))
	done := make(chan struct{})
	parent := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &spawner{child: child, done: done}
	}, actor.WithDispatcher(netpoll.RunnerDispatcher{})))
	b.ReportAllocs()
	cpu := cpuMeter(b)
	sys.Root.Send(parent, b.N)
	<-done
	cpu.report(b)
	if err := sys.Root.StopFuture(parent).Wait(); err != nil {
		b.Fatalf("stopping the parent: %v", err)
	}
}

// BenchmarkGoroutineLifecycle is a goroutine started and ended, the plain
// server's counterpart of BenchmarkActorLifecycle.
func BenchmarkGoroutineLifecycle(b *testing.B) {
	b.ReportAllocs()
	cpu := cpuMeter(b)
	var wg sync.WaitGroup
	for range b.N {
		wg.Add(1)
		go wg.Done()
	}
	wg.Wait()
	cpu.report(b)
}

// lifecycleLive is how many children BenchmarkActorLifecycle keeps alive.
const lifecycleLive = 50

// spawner spawns n children when sent n, lifecycleLive at a time, and closes
// done when the last of them has terminated.
type spawner struct {
	child        *actor.Props
	toSpawn, end int
	done         chan struct{}
}

func (s *spawner) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case int:
		s.toSpawn, s.end = m, m
		for range min(m, lifecycleLive) {
			s.spawn(ctx)
		}
	case *actor.Terminated:
		if s.end--; s.end == 0 {
			close(s.done)
		}
		s.spawn(ctx)
	}
}

// spawn spawns the next child, if one is left to spawn.
func (s *spawner) spawn(ctx actor.Context) {
	if s.toSpawn > 0 {
		s.toSpawn--
		ctx.Spawn(s.child)
	}
}

// selfStopper stops itself as soon as it has started.
type selfStopper struct{}

func (selfStopper) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(*actor.Started); ok {
		ctx.Stop(ctx.Self())
	}
}

// cpuUse is the process's CPU time, user and kernel, when a benchmark's
// timer was reset.
type cpuUse time.Duration

// cpuMeter resets b's timer and starts measuring the process's CPU.
func cpuMeter(b *testing.B) cpuUse {
	b.ResetTimer()
	return cpuUse(processCPU(b))
}

// report reports the CPU spent per op since cpuMeter, in microseconds.
func (c cpuUse) report(b *testing.B) {
	b.StopTimer()
	spent := processCPU(b) - time.Duration(c)
	b.ReportMetric(float64(spent.Nanoseconds())/1e3/float64(b.N), "cpu-µs/op")
}

// processCPU is the CPU time this process has spent, user and kernel.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
