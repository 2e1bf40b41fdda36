package cluster

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"
)

// Config is this node's part in a cluster; the command line's cluster flags
// map onto it. The zero Name means no cluster: the server is one process.
type Config struct {
	Name     string   // -cluster: the cluster's name; "" for none
	NodeAddr string   // -node-addr: HOST:PORT this node binds and advertises to the others
	Peers    []string // -peers: every node's NodeAddr, this one's included (a static list)
	Etcd     []string // -etcd: etcd's client URLs (membership by lease)

	LeaseTTL       time.Duration // -lease-ttl: etcd lease; a node silent this long is gone
	RequestTimeout time.Duration // -cluster-request-timeout: one grain request's deadline
}

// Defaults of the durations: a lease of 3 s is etcd's usual; a stalled
// node's grains move after that. A grain request normally takes well under
// a millisecond on a LAN; 1 s tells a dead owner from a slow one.
const (
	DefaultLeaseTTL       = 3 * time.Second
	DefaultRequestTimeout = time.Second
)

// DefaultConfig returns no cluster, with the documented defaults.
func DefaultConfig() Config {
	return Config{LeaseTTL: DefaultLeaseTTL, RequestTimeout: DefaultRequestTimeout}
}

// Enabled reports whether the node is to join a cluster.
func (c Config) Enabled() bool { return c.Name != "" }

// Validate reports the first value that cannot work, naming its flag. The
// command line checks first which flags were given at all (cluster flags
// without -cluster); Validate checks the values.
func (c Config) Validate() error {
	if !c.Enabled() {
		return nil
	}
	switch {
	case c.NodeAddr == "":
		return errors.New("-node-addr: required with -cluster: this node's HOST:PORT for the other nodes")
	case len(c.Peers) == 0 && len(c.Etcd) == 0:
		return errors.New("-cluster: needs -peers ADDR,... or -etcd URL,... for the membership")
	case len(c.Peers) > 0 && len(c.Etcd) > 0:
		return errors.New("-peers, -etcd: give one membership, not both")
	case c.LeaseTTL <= 0:
		return fmt.Errorf("-lease-ttl: %v is not above 0", c.LeaseTTL)
	case c.RequestTimeout <= 0:
		return fmt.Errorf("-cluster-request-timeout: %v is not above 0", c.RequestTimeout)
	}
	if err := checkAddr(c.NodeAddr); err != nil {
		return fmt.Errorf("-node-addr: %w", err)
	}
	if err := c.checkPeers(); err != nil {
		return err
	}
	if len(c.Etcd) > 0 {
		if err := checkLeaseTTL(c.LeaseTTL); err != nil {
			return err
		}
	}
	seen := make(map[string]bool, len(c.Etcd))
	for _, u := range c.Etcd {
		if err := checkURL(u); err != nil {
			return fmt.Errorf("-etcd: %w", err)
		}
		if seen[u] {
			return fmt.Errorf("-etcd: %q is given twice", u)
		}
		seen[u] = true
	}
	return nil
}

// checkPeers refuses a bad address, an address given twice, and a list that
// leaves this node out (every node must publish the same list).
func (c Config) checkPeers() error {
	if len(c.Peers) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(c.Peers))
	for _, p := range c.Peers {
		if err := checkAddr(p); err != nil {
			return fmt.Errorf("-peers: %w", err)
		}
		if seen[p] {
			return fmt.Errorf("-peers: %q is given twice", p)
		}
		seen[p] = true
	}
	if !seen[c.NodeAddr] {
		return fmt.Errorf("-peers: this node's -node-addr %q is not in the list (give every node's address, this one's too)", c.NodeAddr)
	}
	return nil
}

// checkAddr accepts HOST:PORT with a host and a port from 1 to 65535: the
// address is advertised to the other nodes, so neither may be left to chance.
func checkAddr(a string) error {
	host, port, err := net.SplitHostPort(a)
	if err != nil || host == "" {
		return fmt.Errorf("%q is not HOST:PORT", a)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
		return fmt.Errorf("%q: want a port from 1 to 65535", a)
	}
	ip := net.ParseIP(host)
	if ip != nil && ip.IsUnspecified() {
		return fmt.Errorf("%q: the other nodes cannot reach %s; give an address they can", a, host)
	}
	if ip != nil && ip.To4() == nil {
		// remote joins host and port with a colon, without brackets: it
		// could not listen ("too many colons", exit 1) nor be reached.
		return fmt.Errorf("%q: an IPv6 address cannot be a node's at this protoactor version; give an IPv4 address or a host name", a)
	}
	return nil
}

// checkURL accepts an etcd client URL: http or https, with a host.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http:// or https:// URL with a host", s)
	}
	return nil
}
