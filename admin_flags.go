package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"

	"async_server/actors"
	"async_server/admin"
)

// observeFlags defines the flags of the observatory on fs: the admin
// endpoint and the chaos monkey; and -cpuprofile, the other way to look in.
func observeFlags(fs *flag.FlagSet, cmd *command) {
	fs.StringVar(&cmd.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run, start to exit, to `FILE`, for go tool pprof (empty: none)")
	fs.StringVar(&cmd.admin, "admin", "", "serve the admin endpoint (metrics, tree, events, health probes, fault injection, dashboard) on `HOST:PORT`; a bare PORT or :PORT listens on 127.0.0.1, 0 picks a free port; whoever reaches it can break connections (empty: off)")
	fs.Var(rateFlag{&cmd.Chaos}, "chaos", "inject `RATE` random categorized faults per second into random connections, for soak runs, at most 1000 (0: off)")
}

// checkObserve checks -admin and turns the observatory on when it is given
// (-chaos is checked with the rest of the config, by actors.Config.Validate).
// Its errors name the value.
func checkObserve(cmd *command) error {
	if cmd.admin == "" {
		return nil
	}
	addr, err := admin.Address(cmd.admin)
	if err != nil {
		return fmt.Errorf("-admin: %w", err)
	}
	cmd.admin, cmd.Observe = addr, true
	return adminClash(cmd)
}

// adminClash refuses -admin on an address one of the server's listeners takes
// (the same port, on the same host or on every interface): the server would
// start, and the admin endpoint then fail to bind.
func adminClash(cmd *command) error {
	ahost, aport, err := net.SplitHostPort(cmd.admin)
	if err != nil || aport == "0" {
		return nil
	}
	listeners := cmd.Listeners
	if len(listeners) == 0 {
		listeners = []actors.Listener{{Behavior: cmd.Behavior, Addr: net.JoinHostPort(cmd.Host, strconv.Itoa(cmd.Port))}}
	}
	for _, l := range listeners {
		host, port, err := net.SplitHostPort(l.Addr)
		if err == nil && port == aport && (host == ahost || everywhere(host) || everywhere(ahost)) {
			return fmt.Errorf("-admin %s clashes with the %s listener on %s: give the admin endpoint a port of its own",
				cmd.admin, l.Behavior, l.Addr)
		}
	}
	return nil
}

// everywhere reports whether host is every interface ("", 0.0.0.0, ::).
func everywhere(host string) bool {
	ip := net.ParseIP(host)
	return host == "" || ip != nil && ip.IsUnspecified()
}

// startAdmin starts the admin endpoint for srv. When it cannot, it says why
// (stderr and the log) and shuts srv down.
func startAdmin(srv *actors.Server, addr string, stderr io.Writer) (*admin.Admin, error) {
	adm, err := admin.Start(addr, srv, srv.Log())
	if err != nil {
		srv.Log().WithError(err).Error("cannot start the admin endpoint")
		fmt.Fprintf(stderr, "async_server: %v\n", err)
		srv.Shutdown()
		<-srv.Done()
		return nil, err
	}
	return adm, nil
}
