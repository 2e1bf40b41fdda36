package actors

import (
	pcluster "github.com/asynkron/protoactor-go/cluster"

	"async_server/cluster"
	"errors"
	"fmt"
	"math"
	"net"
	"time"

	"async_server/behaviors"
	"async_server/behaviors/protocol"
	"async_server/logs"
	"async_server/supervision"
)

// Config is everything a Server needs. main.go maps the command line onto it;
// tests build it directly.
type Config struct {
	Host     string // address to listen on
	Port     int    // 0 picks a free port
	Behavior string // registered behavior name (see behaviors.Names)
	Options  behaviors.Options

	Log logs.Config

	MaxConns        int           // open connections per listener; at the limit the accept loop stops accepting
	AtLimit         string        // what a client meets at MaxConns: AtLimitQueue or AtLimitReject
	IdleTimeout     time.Duration // a connection that sends nothing for this long is closed (0: never)
	WriteTimeout    time.Duration // a write during which the peer acknowledges too little (MinSendRate) for this long (and at most 1/16 more: link_write.go) fails with Timeout (0: never)
	ShutdownTimeout time.Duration // graceful shutdown waits this long, then closes what is left

	// MinSendRate is the least a peer must take of a blocked write, in bytes
	// a second over each WriteTimeout (-min-send-rate): at least MinSendRate
	// × WriteTimeout bytes, or all that was queued for it when the window
	// began if that is less; else the write fails with Timeout. 0: any byte
	// acknowledged in the window will do. DefaultMinSendRate is its default.
	MinSendRate int64

	// What other actors may queue for one connection, in bytes, before it is
	// closed: past OutputLimit at once, above OutputSoftLimit for a minute.
	// 0: no limit. (Redis: client-output-buffer-limit pubsub 32mb 8mb 60.) A
	// soft limit above the hard one never applies; a config may lower
	// OutputLimit alone (tests do), but the command line refuses
	// -output-soft-limit above -output-limit.
	OutputLimit     int64
	OutputSoftLimit int64

	// MemoryBudget bounds, in bytes, what every connection of the server
	// together holds for its clients: buffered input (request bodies,
	// unfinished requests, lines; what behaviors report with Conn.Hold) and
	// output queued by other actors. Near it the connections holding the most
	// are read no more; past it the largest is closed (budget.go). 0: none.
	// DefaultMemoryBudget is its default.
	MemoryBudget int64

	// SendBuffer, when not 0, is each accepted socket's SO_SNDBUF in bytes
	// (-send-buffer): the kernel holds at most about twice that of a
	// connection's unsent output, outside the memory budget. 0 leaves the
	// kernel's autotuning, which lets a connection whose peer reads slowly
	// hold up to net.ipv4.tcp_wmem's maximum (4 MiB by default on Linux).
	// Fixing it turns the autotuning off, so it also caps the output rate
	// at about twice SendBuffer a round trip: worth it where many slow
	// readers are expected and round trips are short.
	SendBuffer int

	Intensity supervision.Intensity // restart intensity of every supervisor

	// Protocol, when set, is used instead of the behavior named by Behavior (which
	// then only names it in the log and the tree), with Services as its
	// service actors, Grains as its grain kinds in a cluster and Busy as its
	// reply at the connection limit. Tests use it to run a behavior of their
	// own (a faulty one, say) over real TCP.
	Protocol protocol.Factory
	Services []protocol.Service
	Grains   []*pcluster.Kind
	Busy     protocol.Busy

	// Cluster, when Enabled, makes the server a node of a protoactor cluster
	// (-cluster, package cluster): it joins before it listens, and leaves
	// after its connections have drained, before its services stop.
	Cluster cluster.Config

	// Listeners, when not empty, replaces Host, Port and Behavior: the server
	// listens on each, serving its behavior (-listen, repeatable).
	Listeners []Listener

	// TLSCert and TLSKey are the PEM files of the certificate TLS listeners
	// serve: the single listener when set, or each Listener marked TLS.
	TLSCert, TLSKey string

	// Observe keeps an observatory.Hub (Server.Hub): the live tree, the event
	// stream and the metrics that the admin endpoint serves and the test kit
	// reads, and what Server.Inject needs. Off, the server keeps none of it.
	Observe bool

	// Chaos, when above 0, injects that many random faults per second into
	// random connections (a soak run; see chaos.go), at most MaxChaos. It
	// implies Observe.
	Chaos float64

	// Listen, when set, replaces net.Listen. Tests use it to inject listener failures.
	Listen func(network, address string) (net.Listener, error)
}

// DefaultConfig returns the defaults the command line documents.
func DefaultConfig() Config {
	return Config{
		Host:     "127.0.0.1",
		Port:     7878,
		Behavior: "http",
		Options:  behaviors.DefaultOptions(),
		Log:      logs.Config{File: "server.log", Format: "text", Level: "info"},
		// 1024 matches the usual soft limit on open files: past it accept fails anyway.
		MaxConns: 1024,
		AtLimit:  AtLimitQueue,
		// Long enough for an interactive nc session, short enough that abandoned
		// connections do not pile up.
		IdleTimeout: 5 * time.Minute,
		// A peer that has not taken a single write in 10 s is not reading at all.
		WriteTimeout:    10 * time.Second,
		MinSendRate:     DefaultMinSendRate,
		ShutdownTimeout: 10 * time.Second,
		OutputLimit:     32 << 20,
		OutputSoftLimit: 8 << 20,
		MemoryBudget:    DefaultMemoryBudget(),
		Intensity:       supervision.DefaultIntensity,
		Cluster:         cluster.DefaultConfig(),
	}
}

// Validate reports the first field that cannot work, by its command-line
// flag, as it is typed (-max-conns); for most fields the error is a
// *FieldError, which names the field too.
func (c Config) Validate() error {
	switch {
	case c.Port < 0 || c.Port > 65535:
		return fieldError("Port", "-port", "%d is not from 0 to 65535", c.Port)
	case c.MaxConns < 1:
		return fieldError("MaxConns", "-max-conns", "%d is not at least 1", c.MaxConns)
	case c.AtLimit != AtLimitQueue && c.AtLimit != AtLimitReject:
		return fieldError("AtLimit", "-at-limit", "%q is not %s or %s", c.AtLimit, AtLimitQueue, AtLimitReject)
	case c.IdleTimeout < 0:
		return fieldError("IdleTimeout", "-idle-timeout", "%v is negative", c.IdleTimeout)
	case c.WriteTimeout < 0:
		return fieldError("WriteTimeout", "-write-timeout", "%v is negative", c.WriteTimeout)
	case c.MinSendRate < 0:
		return fieldError("MinSendRate", "-min-send-rate", "%d is negative", c.MinSendRate)
	case c.ShutdownTimeout < 0:
		return fieldError("ShutdownTimeout", "-shutdown-timeout", "%v is negative", c.ShutdownTimeout)
	case c.OutputLimit < 0:
		return fieldError("OutputLimit", "-output-limit", "%d is negative", c.OutputLimit)
	case c.OutputSoftLimit < 0:
		return fieldError("OutputSoftLimit", "-output-soft-limit", "%d is negative", c.OutputSoftLimit)
	case c.SendBuffer < 0:
		return fieldError("SendBuffer", "-send-buffer", "%d is negative", c.SendBuffer)
	case c.MemoryBudget < 0:
		return fieldError("MemoryBudget", "-memory-budget", "%d is negative", c.MemoryBudget)
	case c.Chaos < 0 || math.IsNaN(c.Chaos) || math.IsInf(c.Chaos, 0):
		return fieldError("Chaos", "-chaos", "%v is not a rate of faults per second (0 turns it off)", c.Chaos)
	case c.Chaos > MaxChaos:
		return fieldError("Chaos", "-chaos", "%v is above %d faults per second", c.Chaos, MaxChaos)
	case c.Intensity.MaxRestarts < 0:
		return errors.New("restart intensity: max restarts is negative")
	}
	if err := c.Cluster.Validate(); err != nil {
		return err
	}
	if err := c.validateListeners(); err != nil {
		return err
	}
	if _, err := c.certificate(); err != nil {
		return err
	}
	set, err := openBehaviors(c) // every behavior can be made (the http -root exists)
	if err != nil {
		return err
	}
	set.release()
	return c.Log.Validate()
}

// FieldError is a field of Config that Validate refuses. Its text names the
// field by its command-line flag, as main's users set it ("-max-conns: 0 is
// not at least 1"); Field names it as Go code sets it, for a caller that
// builds the Config itself (the test kit).
type FieldError struct {
	Field string // "MaxConns"
	Flag  string // "-max-conns"
	Err   error  // what is wrong with its value: "0 is not at least 1"
}

func (e *FieldError) Error() string { return e.Flag + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// fieldError is a *FieldError whose Err is formatted.
func fieldError(field, flag, format string, args ...any) error {
	return &FieldError{Field: field, Flag: flag, Err: fmt.Errorf(format, args...)}
}

// What a client meets when every connection slot (MaxConns) is taken and no
// idle connection can be closed for it. Queue: it waits in the kernel backlog
// until a slot frees (backpressure; nothing is lost, but a client may wait
// long). Reject: it is accepted, reads its behavior's busy reply
// (protocol.Busy) and is closed at once, so it can retry elsewhere or later.
const (
	AtLimitQueue  = "queue"
	AtLimitReject = "reject"
)

// DefaultMemoryBudget is a quarter of the memory the process may use (the
// machine's, or its container's limit), or fallbackMemoryBudget where that
// is unknown. A fraction, not a fixed size, so that it fits a small VM and
// does not starve a large one; a quarter, because Go's collector lets the
// heap grow to about twice what is live (GOGC=100) before it collects, and
// the rest of the machine (the kernel's socket buffers, the server's own
// state, other processes) needs the other half.
func DefaultMemoryBudget() int64 {
	if m := physicalMemory(); m > 0 {
		return m / 4
	}
	return fallbackMemoryBudget
}

// fallbackMemoryBudget is the budget where the machine's memory is unknown:
// 1 GiB, a quarter of a small server's.
const fallbackMemoryBudget = 1 << 30

// DefaultMinSendRate is 1 KiB/s, as the http behavior's -min-body-rate asks
// of a request body: 10 KiB a write timeout at its default, far below any
// client that means to read, while a peer that takes a byte now and then to
// keep its connection (and its slot, and the output queued for it) is closed.
const DefaultMinSendRate = 1 << 10

// outputSoftFor is how long a connection may stay above OutputSoftLimit: Redis's
// 60 seconds.
const outputSoftFor = time.Minute

// address is the host:port to listen on.
func (c Config) address() string {
	return net.JoinHostPort(c.Host, fmt.Sprint(c.Port))
}

// listen opens a listener on addr with c.Listen or net.Listen.
func (c Config) listen(addr string) (net.Listener, error) {
	if c.Listen != nil {
		return c.Listen("tcp", addr)
	}
	return net.Listen("tcp", addr)
}
