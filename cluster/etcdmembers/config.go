package etcdmembers

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
)

// Defaults, and the bounds Validate holds a Config to.
const (
	// DefaultTTL is the lease's time to live: how long after a node's last
	// keep-alive etcd deletes its key and the other nodes drop it. The issue's
	// -lease-ttl default; a failed node's grains move within this.
	DefaultTTL = 3 * time.Second
	// DefaultDialTimeout bounds the first contact with etcd (New, then
	// StartMember): a node that cannot reach etcd exits after it, not never.
	DefaultDialTimeout = 5 * time.Second
	// DefaultPrefix is where members are kept: Prefix/CLUSTER/MEMBER-ID.
	DefaultPrefix = "/async_server/members"

	// maxTTL keeps a typo (-lease-ttl 3h) from making a dead node's grains
	// unavailable for hours.
	maxTTL = 10 * time.Minute
	// maxEndpoints caps what a command line can make the client dial.
	maxEndpoints = 16
)

// Config is a Provider's configuration. Start from DefaultConfig and set
// Endpoints and OnLeaseLost.
type Config struct {
	// Endpoints are etcd's client URLs (http://HOST:PORT) or HOST:PORT.
	Endpoints []string
	// TTL is the lease's time to live, a whole number of seconds (etcd grants
	// leases in seconds). etcd may grant more than asked (its minimum depends
	// on its election timeout); the granted TTL is the one in force.
	TTL time.Duration
	// DialTimeout bounds New's reachability check and StartMember's
	// registration, each.
	DialTimeout time.Duration
	// OnLeaseLost is called once, from the provider's keep-alive goroutine,
	// when the lease is gone or may be gone: etcd said so, this node's key was
	// deleted, or no keep-alive was acknowledged within the TTL. The node must
	// stop acting for its grains (the fence already drops their messages) and
	// exit: another node may be hosting them by now. The error wraps
	// ErrLeaseLost. Not called after Shutdown begins. Required.
	OnLeaseLost func(error)
	// Prefix is the key prefix under which the members are kept.
	Prefix string
	// Log receives membership changes and lease trouble; nil discards them.
	Log *logrus.Entry
}

// DefaultConfig returns a Config with every default set; Endpoints and
// OnLeaseLost are left for the caller.
func DefaultConfig() Config {
	return Config{TTL: DefaultTTL, DialTimeout: DefaultDialTimeout, Prefix: DefaultPrefix}
}

// Validate reports the first bad field, named as the command line names it
// where there is a flag for it.
func (c Config) Validate() error {
	if len(c.Endpoints) == 0 {
		return errors.New("etcd: no endpoints")
	}
	if len(c.Endpoints) > maxEndpoints {
		return fmt.Errorf("etcd: %d endpoints, at most %d", len(c.Endpoints), maxEndpoints)
	}
	for _, e := range c.Endpoints {
		if err := checkEndpoint(e); err != nil {
			return err
		}
	}
	switch {
	case c.TTL < time.Second || c.TTL > maxTTL:
		return fmt.Errorf("lease-ttl %v: must be between 1s and %v", c.TTL, maxTTL)
	case c.TTL%time.Second != 0:
		return fmt.Errorf("lease-ttl %v: must be a whole number of seconds (etcd grants leases in seconds)", c.TTL)
	case c.DialTimeout <= 0:
		return fmt.Errorf("etcd dial timeout %v: must be positive", c.DialTimeout)
	case c.OnLeaseLost == nil:
		return errors.New("etcd: OnLeaseLost is required (a node that lost its lease must stop)")
	case !strings.HasPrefix(c.Prefix, "/") || strings.HasSuffix(c.Prefix, "/"):
		return fmt.Errorf("etcd prefix %q: must start with / and not end with it", c.Prefix)
	}
	return nil
}

// checkEndpoint accepts http(s)://HOST:PORT and HOST:PORT, as etcd's client
// does, and refuses the rest with the value in the message (capped: it comes
// from a command line).
func checkEndpoint(e string) error {
	hostPort := e
	if strings.Contains(e, "://") {
		u, err := url.Parse(e)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") {
			return fmt.Errorf("etcd endpoint %q: want http://HOST:PORT or HOST:PORT", capped(e))
		}
		hostPort = u.Host
	}
	if i := strings.LastIndexByte(hostPort, ':'); i <= 0 || i == len(hostPort)-1 {
		return fmt.Errorf("etcd endpoint %q: want http://HOST:PORT or HOST:PORT", capped(e))
	}
	return nil
}

// capped shortens a value for an error message or a log line.
func capped(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// logOrDiscard returns log, or a logger that writes nothing.
func logOrDiscard(log *logrus.Entry) *logrus.Entry {
	if log != nil {
		return log
	}
	l := logrus.New()
	l.SetOutput(io.Discard)
	return logrus.NewEntry(l)
}
