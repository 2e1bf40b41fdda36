package actors

import (
	"crypto/tls"
	"errors"
	"fmt"
	pcluster "github.com/asynkron/protoactor-go/cluster"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"async_server/behaviors"
	"async_server/behaviors/protocol"
)

// Listener is one listener of a server: a behavior served on an address
// (-listen BEHAVIOR=HOST:PORT, repeatable).
type Listener struct {
	Behavior string // a registered behavior name
	Addr     string // HOST:PORT; port 0 picks a free port
	TLS      bool   // serve TLS with Config.TLSCert and TLSKey
}

// served is a listener the server has opened, with the factory of its
// behavior's connections.
type served struct {
	ln       net.Listener
	behavior string
	setup    protocol.Setup
	tls      *tls.Config // nil: plain TCP
}

// listeners returns the listeners c asks for: Listeners when given, else the one
// of Host, Port and Behavior.
func (c Config) listeners() []Listener {
	if len(c.Listeners) > 0 {
		return c.Listeners
	}
	return []Listener{{Behavior: c.Behavior, Addr: c.address(), TLS: c.TLSCert != ""}}
}

// validateListeners names the first listener that cannot work.
func (c Config) validateListeners() error {
	seen := map[string]bool{}
	for _, l := range c.Listeners {
		host, port, err := net.SplitHostPort(l.Addr)
		if _, ok := PortNumber(port); err != nil || !ok {
			return fmt.Errorf("-listen: %s=%s: want BEHAVIOR=HOST:PORT with a port from 0 to 65535", l.Behavior, l.Addr)
		}
		if key := net.JoinHostPort(host, port); port != "0" && seen[key] {
			return fmt.Errorf("-listen: %s is given twice", l.Addr)
		} else {
			seen[key] = true
		}
	}
	if len(c.Listeners) > 0 && c.Protocol != nil {
		return fmt.Errorf("listen: a Protocol serves one listener, not %d", len(c.Listeners))
	}
	// With -listen, TLS is served only where ",tls" says: a certificate no
	// listener serves would be loaded and silently do nothing.
	if len(c.Listeners) > 0 && !slices.ContainsFunc(c.Listeners, func(l Listener) bool { return l.TLS }) {
		var given []string
		if c.TLSCert != "" {
			given = append(given, "-tls-cert")
		}
		if c.TLSKey != "" {
			given = append(given, "-tls-key")
		}
		if len(given) > 0 {
			return fmt.Errorf("%s: given, but no -listen entry ends in ,tls: nothing would serve TLS", strings.Join(given, ", "))
		}
	}
	return nil
}

// PortNumber parses a port: decimal digits only (no sign, no space), from 0 to
// 65535. net.Listen would take "+80" for a service name and fail later.
func PortNumber(s string) (int, bool) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n <= 65535
}

// behaviorSet is what the server's behaviors hold: each one's Factory, made once
// however many listeners serve it, their service actors, and what to release
// once no connection is left.
type behaviorSet struct {
	setups   map[string]protocol.Setup // by behavior name
	services []protocol.Service
	grains   []*pcluster.Kind // every behavior's grain kinds, used in a cluster only
	releases []func() error
}

// openBehaviors makes the Setup of every behavior c's listeners serve. Two
// behaviors may not declare a service of the same name: services are named
// server-wide (root/services/NAME).
func openBehaviors(c Config) (*behaviorSet, error) {
	set := &behaviorSet{setups: map[string]protocol.Setup{}}
	owner := map[string]string{} // service name -> behavior
	for _, l := range c.listeners() {
		if _, ok := set.setups[l.Behavior]; ok {
			continue
		}
		s, err := c.setupOf(l.Behavior)
		if err != nil {
			set.release()
			if len(c.Listeners) > 0 {
				return nil, fmt.Errorf("-listen %s=%s: %w", l.Behavior, l.Addr, err)
			}
			if c.Protocol == nil && !slices.Contains(behaviors.Names(), l.Behavior) {
				return nil, &FieldError{Field: "Behavior", Flag: "-behavior", Err: err}
			}
			return nil, err // an option's error names its flag (-root: ...)
		}
		set.setups[l.Behavior] = s
		set.releases = append(set.releases, s.Release)
		for _, svc := range s.Services {
			if b, ok := owner[svc.Name]; ok {
				set.release()
				return nil, fmt.Errorf("behaviors %s and %s both declare a service %q", b, l.Behavior, svc.Name)
			}
			owner[svc.Name] = l.Behavior
			set.services = append(set.services, svc)
		}
		for _, k := range s.Grains {
			if b, ok := owner["grain "+k.Kind]; ok {
				set.release()
				return nil, fmt.Errorf("behaviors %s and %s both declare a grain kind %q", b, l.Behavior, k.Kind)
			}
			owner["grain "+k.Kind] = l.Behavior
			set.grains = append(set.grains, k)
		}
	}
	return set, nil
}

// registerMetrics has every behavior that has metrics of its own register
// them with reg (the observatory's).
func (b *behaviorSet) registerMetrics(reg prometheus.Registerer) {
	for _, s := range b.setups {
		if s.Metrics != nil {
			s.Metrics(reg)
		}
	}
}

// release releases what every behavior holds open.
func (b *behaviorSet) release() {
	for _, r := range b.releases {
		_ = r()
	}
}

// setupOf returns the Setup of the behavior called name: Protocol's when set.
func (c Config) setupOf(name string) (protocol.Setup, error) {
	if c.Protocol != nil {
		return protocol.Setup{Factory: c.Protocol, Services: c.Services, Grains: c.Grains, Busy: c.Busy,
			Release: func() error { return nil }}, nil
	}
	return behaviors.New(name, c.Options)
}

// listenAll opens every listener, or none: after the first that fails it closes
// those already open, so a port in use leaves nothing listening.
func listenAll(c Config, set *behaviorSet) ([]served, error) {
	var open []served
	cert, err := c.certificate()
	if err != nil {
		return nil, err
	}
	for _, l := range c.listeners() {
		ln, err := c.listen(l.Addr)
		if err != nil {
			for _, s := range open {
				_ = s.ln.Close()
			}
			return nil, fmt.Errorf("cannot listen on %s (%s): %w", l.Addr, l.Behavior, err)
		}
		s := served{ln: ln, behavior: l.Behavior, setup: set.setups[l.Behavior]}
		if l.TLS {
			s.tls = &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}
		}
		open = append(open, s)
	}
	return open, nil
}

// certificate loads TLSCert and TLSKey; nil when TLS is not asked for. Its
// errors name the flag.
func (c Config) certificate() (*tls.Certificate, error) {
	tlsWanted := c.TLSCert != "" || c.TLSKey != ""
	for _, l := range c.Listeners {
		tlsWanted = tlsWanted || l.TLS
	}
	switch {
	case !tlsWanted:
		return nil, nil
	case c.TLSCert == "" || c.TLSKey == "":
		return nil, errors.New("-tls-cert, -tls-key: TLS needs both a certificate and its key")
	}
	cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("-tls-cert %s, -tls-key %s: %w", c.TLSCert, c.TLSKey, err)
	}
	return &cert, nil
}
