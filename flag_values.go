package main

// The values of the command line that the flag package does not parse by
// itself: -listen, the port (as -port or the argument, interleaved with flags),
// and durations that explain a refusal.

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"async_server/actors"
	"async_server/behaviors/resp"
)

// listenFlag is -listen BEHAVIOR=HOST:PORT, repeatable.
type listenFlag []actors.Listener

func (f *listenFlag) String() string {
	var specs []string
	for _, l := range *f {
		spec := l.Behavior + "=" + l.Addr
		if l.TLS {
			spec += ",tls"
		}
		specs = append(specs, spec)
	}
	return strings.Join(specs, " ")
}

// Set checks the form of one -listen value, BEHAVIOR=HOST:PORT with an
// optional ",tls" (in any case, as names are); actors.Config.Validate checks
// the behavior. The flag package quotes the whole value in front of the error.
func (f *listenFlag) Set(v string) error {
	b, rest, ok := strings.Cut(v, "=")
	addr, suffixes, hasSuffix := strings.Cut(rest, ",")
	if !ok || b == "" || addr == "" {
		return fmt.Errorf("%q is not BEHAVIOR=HOST:PORT or BEHAVIOR=HOST:PORT,tls", v)
	}
	secure := false
	if hasSuffix {
		for _, s := range strings.Split(suffixes, ",") {
			switch {
			case !strings.EqualFold(s, "tls"):
				return fmt.Errorf("unknown suffix %q after HOST:PORT: the only one is \",tls\"", ","+s)
			case secure:
				return errors.New("\",tls\" is given twice")
			}
			secure = true
		}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want BEHAVIOR=HOST:PORT: %q is not HOST:PORT", addr)
	} else if _, ok := actors.PortNumber(port); !ok {
		return fmt.Errorf("want BEHAVIOR=HOST:PORT with a port from 0 to 65535, not %q", port)
	}
	if host == "" { // as -host and -admin: loopback unless every interface is asked for (0.0.0.0, [::])
		addr = net.JoinHostPort(actors.DefaultConfig().Host, port)
	}
	*f = append(*f, actors.Listener{Behavior: strings.ToLower(b), Addr: addr, TLS: secure})
	return nil
}

// portOf returns the port given as -port (value) or as the one positional
// argument; both are fine when they name the same port.
func portOf(fs *flag.FlagSet, value string, positional []string) (int, error) {
	for _, p := range positional {
		// "-chat-flood false": the flag package takes a boolean flag's value
		// only after =, so the word is left over where the port goes.
		if b, err := strconv.ParseBool(p); err == nil && strings.Trim(p, "01") != "" {
			return 0, fmt.Errorf("%q is not a port: a boolean flag takes its value after =, as -chat-flood=%t", p, b)
		}
	}
	switch {
	case len(positional) > 1:
		return 0, fmt.Errorf("too many arguments: %q (want at most a port)", positional)
	case len(positional) == 1 && isSet(fs, "port"):
		if err := samePort(value, positional[0]); err != nil {
			return 0, err
		}
	case len(positional) == 1:
		value = positional[0]
	}
	return parsePort(value)
}

// negativeNumber matches an argument the flag package would take for a flag but
// that is a (bad) port, so that "-1" gets the port's error message.
var negativeNumber = regexp.MustCompile(`^-[0-9]+$`)

// parseInterleaved parses flags anywhere among args and returns the rest.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		for len(args) > 0 && negativeNumber.MatchString(args[0]) {
			positional, args = append(positional, args[0]), args[1:]
		}
		// Parse only up to the next negative number that is not a flag's value:
		// the flag package would take it for an undefined flag.
		end := len(args)
		for i := 1; i < len(args); i++ {
			if negativeNumber.MatchString(args[i]) && !takesValue(fs, args[i-1]) {
				end = i
				break
			}
		}
		if err := fs.Parse(args[:end]); err != nil {
			return nil, err
		}
		rest := fs.Args()
		args = append(slices.Clone(rest), args[end:]...)
		if len(args) == 0 {
			return positional, nil
		}
		if len(rest) > 0 {
			positional, args = append(positional, args[0]), args[1:]
		}
	}
}

// takesValue reports whether arg is a flag of fs that takes the next argument as
// its value ("-max-conns" does, "-max-conns=3" and bool flags do not).
func takesValue(fs *flag.FlagSet, arg string) bool {
	name, ok := strings.CutPrefix(arg, "-")
	if !ok || strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(strings.TrimPrefix(name, "-"))
	if f == nil {
		return false
	}
	b, isBool := f.Value.(interface{ IsBoolFlag() bool })
	return !isBool || !b.IsBoolFlag()
}

// parsePort accepts a decimal port number from 0 to 65535, digits only: no
// sign ("+80" is refused, as "-1" is).
func parsePort(s string) (int, error) {
	n, ok := actors.PortNumber(s)
	if !ok {
		return 0, fmt.Errorf("invalid port %q: want a number from 0 to 65535, digits only", s)
	}
	return n, nil
}

// hintDurations makes every duration flag of fs refuse a bad value with why
// and an example ("missing unit in duration \"5\" (a duration needs a unit:
// 5s, 2m, 1h30m)") where the flag package says only "parse error". usage
// unwraps them again, so that -h still calls them durations.
func hintDurations(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		if g, ok := f.Value.(flag.Getter); ok {
			if _, ok := g.Get().(time.Duration); ok {
				f.Value = durationHint{f.Value}
			}
		}
	})
}

// durationHint is a duration flag's value whose Set explains a refusal.
type durationHint struct{ flag.Value }

func (d durationHint) Set(s string) error {
	if _, err := time.ParseDuration(s); err != nil {
		return fmt.Errorf("%s (a duration needs a unit: 5s, 2m, 1h30m)", strings.TrimPrefix(err.Error(), "time: "))
	}
	return d.Value.Set(s)
}

// samePort accepts a port given both as -port and as the argument only when both
// are valid and name the same port.
func samePort(flagValue, arg string) error {
	a, err := parsePort(flagValue)
	if err != nil {
		return err
	}
	b, err := parsePort(arg)
	if err != nil {
		return err
	}
	if a != b {
		return fmt.Errorf("port given twice: -port %s and %s", flagValue, arg)
	}
	return nil
}

// listFlag is a comma-separated list (-peers, -etcd). Given again, it
// replaces the list: the last one counts, as for every other flag.
type listFlag []string

func (f *listFlag) String() string { return strings.Join(*f, ",") }

// Set refuses an empty item ("a,,b", a trailing comma): a typo, not a wish.
func (f *listFlag) Set(v string) error {
	items := strings.Split(v, ",")
	for i, it := range items {
		if items[i] = strings.TrimSpace(it); items[i] == "" {
			return fmt.Errorf("%q has an empty item", v)
		}
	}
	*f = items
	return nil
}

// memoryFlag is -maxmemory: bytes, with an optional unit as redis.conf's
// (resp.ParseMemory: k is 1000, kb 1024, any case), so that a value copied
// from a Redis configuration means the same here.
type memoryFlag int64

func (f *memoryFlag) String() string {
	if f == nil {
		return "0"
	}
	return strconv.FormatInt(int64(*f), 10)
}

// Set parses v; the flag package quotes it and names the flag in front of
// the error.
func (f *memoryFlag) Set(v string) error {
	n, ok := resp.ParseMemory(v)
	if !ok {
		return errors.New("want a number of bytes with an optional unit b, k, kb, m, mb, g or gb (k is 1000, kb 1024), e.g. 1gb; no sign, no fraction")
	}
	*f = memoryFlag(n)
	return nil
}

// listenClash refuses two -listen entries that one address takes spelled two
// ways: localhost:X and 127.0.0.1:X, or 0.0.0.0:X (or [::]:X) and any host
// on X (the wildcard takes every interface). The second
// would fail to bind at the start, with exit 1 and "address already in
// use", where actors.Config.Validate refuses the same spelling twice as a bad
// command line. Host names other than localhost are not resolved: a parse
// does no DNS; such a clash is still found when the server binds.
func listenClash(ls []actors.Listener) error {
	for i, a := range ls {
		for _, b := range ls[:i] {
			if !bindsOverlap(a.Addr, b.Addr) {
				continue
			}
			wide := b.Addr
			if h, _, _ := net.SplitHostPort(a.Addr); everywhere(h) {
				wide = a.Addr
			}
			if h, _, _ := net.SplitHostPort(wide); everywhere(h) {
				return fmt.Errorf("-listen: %s and %s are given twice: %s takes its port on every interface", b.Addr, a.Addr, wide)
			}
			return fmt.Errorf("-listen: %s is given twice, also as %s", b.Addr, a.Addr)
		}
	}
	return nil
}

// bindsOverlap reports whether listening on a and on b (HOST:PORT, the same
// port other than 0) takes one address twice.
func bindsOverlap(a, b string) bool {
	ah, ap, errA := net.SplitHostPort(a)
	bh, bp, errB := net.SplitHostPort(b)
	pa, okA := actors.PortNumber(ap)
	pb, okB := actors.PortNumber(bp)
	if errA != nil || errB != nil || !okA || !okB || pa != pb || pa == 0 {
		return false
	}
	ia, ib := bindIP(ah), bindIP(bh)
	if ia == nil || ib == nil {
		return strings.EqualFold(ah, bh)
	}
	// A wildcard (0.0.0.0 or ::) takes every address, of both families: Go
	// listens on an IPv6 address dual-stack, so even 0.0.0.0:X and [::1]:X
	// clash on Linux.
	return ia.Equal(ib) || ia.IsUnspecified() || ib.IsUnspecified()
}

// bindIP is the address net.Listen("tcp", HOST:PORT) binds for host: the IP
// itself, or for localhost 127.0.0.1 (Listen takes a name's first IPv4
// address); nil for another name.
func bindIP(host string) net.IP {
	if strings.EqualFold(host, "localhost") {
		return net.IPv4(127, 0, 0, 1)
	}
	return net.ParseIP(host)
}
