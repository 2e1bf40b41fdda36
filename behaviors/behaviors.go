package behaviors

import (
	"fmt"
	"slices"
	"strings"

	"async_server/behaviors/chat"
	"async_server/behaviors/protocol"
	"async_server/behaviors/resp"
	"async_server/behaviors/web"
)

// Options holds every behavior's settings, taken from the command line.
type Options struct {
	HTTP web.Options  // the http behavior's (-root, -max-body, ...)
	RESP resp.Options // the resp behavior's (-requirepass, -maxmemory, ...)
	Chat chat.Options // the chat behavior's flood control
}

// DefaultOptions returns every behavior's defaults, as the command line has them.
func DefaultOptions() Options {
	return Options{HTTP: web.DefaultOptions(), RESP: resp.DefaultOptions(), Chat: chat.DefaultOptions()}
}

// A constructor makes a behavior's Setup (its Release may be nil when it holds
// nothing open).
type constructor func(Options) (protocol.Setup, error)

// registry names every behavior: name -> constructor of its Factory.
var registry = map[string]constructor{
	"chat":   func(o Options) (protocol.Setup, error) { return chat.New(o.Chat), nil },
	"echo":   newEcho,
	"faults": newFaults,
	"http":   func(o Options) (protocol.Setup, error) { return web.Static(o.HTTP) },
	"resp":   func(o Options) (protocol.Setup, error) { return resp.New(o.RESP) },
}

// New returns the Setup of the behavior called name. Call its Release once, when
// no connection uses the Factory any more (the http behavior's closes its -root
// directory); the Factory must not make new connections' behaviors after it.
func New(name string, o Options) (protocol.Setup, error) {
	mk, ok := registry[name]
	if !ok {
		return protocol.Setup{}, fmt.Errorf("unknown behavior %q (have %s)", name, strings.Join(Names(), ", "))
	}
	s, err := mk(o)
	if err != nil {
		return protocol.Setup{}, err
	}
	if s.Release == nil {
		s.Release = func() error { return nil }
	}
	return s, nil
}

// Names lists the registered behaviors, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
