package main

import (
	"flag"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"async_server/cluster"
)

// clusterFlagNames are the flags that mean something only with -cluster.
var clusterFlagNames = []string{"node-addr", "peers", "etcd", "lease-ttl", "cluster-request-timeout"}

// clusterFlags defines the cluster's flags on fs, writing into c.
func clusterFlags(fs *flag.FlagSet, c *cluster.Config) {
	*c = cluster.DefaultConfig()
	fs.StringVar(&c.Name, "cluster", c.Name, "join the cluster called `NAME`: chat's rooms and nicks, and resp's keys (16 shards) and pub/sub, are shared by its nodes (docs/cluster.md; empty: one process)")
	fs.StringVar(&c.NodeAddr, "node-addr", c.NodeAddr, "this node's `HOST:PORT` for the other nodes, bound and advertised (required with -cluster)")
	fs.Var((*listFlag)(&c.Peers), "peers", "the cluster's members, a fixed list: every node's -node-addr, this one's too, as `ADDR,ADDR,...` (no failure detection: a dead node's grains wait for it)")
	fs.Var((*listFlag)(&c.Etcd), "etcd", "keep the members in etcd at `URL,URL,...` (a node that loses its lease exits with status 3); instead of -peers")
	fs.DurationVar(&c.LeaseTTL, "lease-ttl", c.LeaseTTL, "-etcd: a node silent this long has left, and its grains move (whole seconds, 1s to 10m: etcd grants leases in seconds)")
	fs.DurationVar(&c.RequestTimeout, "cluster-request-timeout", c.RequestTimeout, "deadline of one request to a grain, one attempt, its activation included (above 0)")
}

// checkCluster refuses the cluster's flags without -cluster, and -lease-ttl
// without -etcd, naming the flag; cluster.Config.Validate checks the values.
func checkCluster(fs *flag.FlagSet, c cluster.Config) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		switch {
		case err != nil:
		case !c.Enabled() && isClusterFlag(f.Name):
			err = fmt.Errorf("-%s: needs -cluster NAME (it does nothing without a cluster)", f.Name)
		case f.Name == "lease-ttl" && len(c.Etcd) == 0:
			err = fmt.Errorf("-lease-ttl is a flag of -etcd; it does nothing without it")
		}
	})
	if err == nil && c.Enabled() && strings.TrimSpace(c.Name) != c.Name {
		err = fmt.Errorf("-cluster: %q has spaces around it", c.Name)
	}
	return err
}

// clusterShares refuses -cluster for a server that serves neither chat nor
// resp, the behaviors whose state a cluster shares: it would join and do
// nothing.
func clusterShares(c cluster.Config, served []string) error {
	if !c.Enabled() || slices.Contains(served, "chat") || slices.Contains(served, "resp") {
		return nil
	}
	return fmt.Errorf("-cluster: its nodes share chat's rooms and resp's keys; %s serves neither", strings.Join(served, ", "))
}

// nodeAddrClash refuses a -node-addr that a listener or the admin endpoint
// takes (the same port, on the same host or on every interface): the node
// would fail to bind it after the start.
func nodeAddrClash(cmd *command) error {
	c := cmd.Cluster
	nhost, nport, err := net.SplitHostPort(c.NodeAddr)
	if !c.Enabled() || err != nil {
		return nil
	}
	taken := map[string]string{} // address -> what takes it
	if len(cmd.Listeners) == 0 {
		taken[net.JoinHostPort(cmd.Host, strconv.Itoa(cmd.Port))] = "the " + cmd.Behavior + " listener"
	}
	for _, l := range cmd.Listeners {
		taken[l.Addr] = "the " + l.Behavior + " listener"
	}
	if cmd.admin != "" {
		taken[cmd.admin] = "the admin endpoint"
	}
	for addr, what := range taken {
		host, port, err := net.SplitHostPort(addr)
		if err == nil && port == nport && (host == nhost || everywhere(host)) {
			return fmt.Errorf("-node-addr %s clashes with %s on %s: give the node a port of its own", c.NodeAddr, what, addr)
		}
	}
	return nil
}

func isClusterFlag(name string) bool { return slices.Contains(clusterFlagNames, name) }
