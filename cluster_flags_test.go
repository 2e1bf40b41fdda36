package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestClusterFlagErrors ensures every bad cluster command line exits 2
// before anything starts, with an error that starts with the flag to fix:
// cluster flags without -cluster, -node-addr missing, an address twice,
// -node-addr missing from -peers, both -peers and -etcd.
func TestClusterFlagErrors(t *testing.T) {
	const a, b = "127.0.0.1:17001", "127.0.0.1:17002"
	node := []string{"-cluster", "c", "-node-addr", a}
	with := func(args ...string) []string { return append(append([]string(nil), node...), args...) }
	tests := []struct {
		args []string
		want string // the error's start
		also string // further in the error
	}{
		{[]string{"-peers", a}, "-peers: needs -cluster NAME", ""},
		{[]string{"-node-addr", a}, "-node-addr: needs -cluster NAME", ""},
		{[]string{"-etcd", "http://127.0.0.1:2379"}, "-etcd: needs -cluster NAME", ""},
		{[]string{"-cluster-request-timeout", "2s"}, "-cluster-request-timeout: needs -cluster NAME", ""},
		{[]string{"-lease-ttl", "2s"}, "-lease-ttl: needs -cluster NAME", ""},
		{[]string{"-cluster", "c", "-peers", a}, "-node-addr: required with -cluster", ""},
		{with(), "-cluster: needs -peers", "-etcd"},
		{with("-peers", a+","+b+","+a), "-peers: ", a + `" is given twice`},
		{with("-peers", b), "-peers: this node's -node-addr", a},
		{with("-peers", a+",,"+b), `invalid value "` + a + ",," + b + `" for flag -peers: `, "empty item"},
		{with("-peers", a, "-etcd", "http://127.0.0.1:2379"), "-peers, -etcd: give one", ""},
		{with("-etcd", "http://x:1,http://x:1"), "-etcd: ", `"http://x:1" is given twice`},
		{with("-etcd", "127.0.0.1:2379"), "-etcd: ", "not an http:// or https:// URL"},
		{with("-peers", a, "-lease-ttl", "5s"), "-lease-ttl is a flag of -etcd", ""},
		{with("-etcd", "http://127.0.0.1:2379", "-lease-ttl", "0s"), "-lease-ttl: 0s", ""},
		{with("-etcd", "http://127.0.0.1:2379", "-lease-ttl", "1500ms"), "-lease-ttl: 1.5s", "whole number of seconds"},
		{with("-etcd", "http://127.0.0.1:2379", "-lease-ttl", "1h"), "-lease-ttl: 1h0m0s", "from 1s to 10m0s"},
		{with("-peers", a, "-cluster-request-timeout", "-1s"), "-cluster-request-timeout: -1s", ""},
		{[]string{"-cluster", "c", "-node-addr", "127.0.0.1", "-peers", "127.0.0.1"}, "-node-addr: ", "not HOST:PORT"},
		{[]string{"-cluster", "c", "-node-addr", "127.0.0.1:0", "-peers", "127.0.0.1:0"}, "-node-addr: ", "port from 1 to 65535"},
		{[]string{"-cluster", "c", "-node-addr", "0.0.0.0:17001", "-peers", "0.0.0.0:17001"}, "-node-addr: ", "cannot reach"},
		{[]string{"-cluster", "c", "-node-addr", "[::1]:17001", "-peers", "[::1]:17001"}, "-node-addr: ", "IPv6"},
		{with("-peers", a+",[::1]:17002"), "-peers: ", "IPv6"},
		{with("-peers", a+",nonsense"), "-peers: ", `"nonsense" is not HOST:PORT`},
		{with("-peers", a, "17001"), "-node-addr " + a + " clashes with the http listener on " + a, ""},
		{with("-peers", a, "-host", "0.0.0.0", "17001"), "-node-addr " + a + " clashes with the http listener on 0.0.0.0:17001", ""},
		{with("-peers", a, "-listen", "chat=127.0.0.1:17001"), "-node-addr " + a + " clashes with the chat listener", ""},
		{with("-peers", a, "-admin", a), "-node-addr " + a + " clashes with the admin endpoint", ""},
		{with("-peers", a), "-cluster: its nodes share chat's rooms and resp's keys; http serves neither", ""},
		{with("-peers", a, "-listen", "echo=127.0.0.1:0", "-listen", "http=127.0.0.1:0"), "-cluster: ", "echo, http serves neither"},
	}
	for _, tt := range tests {
		_, err := parseArgs(tt.args, io.Discard)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.also) {
			t.Errorf("%q: error %v; want one starting %q and naming %q", tt.args, err, tt.want, tt.also)
			continue // run would start a node
		}
		var stdout, stderr bytes.Buffer
		if code := run(tt.args, &stdout, &stderr); code != exitUsage {
			t.Errorf("run(%q) = %d; want %d", tt.args, code, exitUsage)
		}
	}
}

// TestClusterFlagsAccepted ensures good cluster command lines parse, and map
// onto the config.
func TestClusterFlagsAccepted(t *testing.T) {
	cmd, err := parseArgs([]string{"-behavior", "chat", "-cluster", "c", "-node-addr", "127.0.0.1:17001",
		"-peers", "127.0.0.1:17001, 127.0.0.1:17002", "-cluster-request-timeout", "250ms"}, io.Discard)
	if err != nil {
		t.Fatalf("parseArgs: %v", err)
	}
	c := cmd.Cluster
	if c.Name != "c" || c.NodeAddr != "127.0.0.1:17001" || len(c.Peers) != 2 || c.Peers[1] != "127.0.0.1:17002" || c.RequestTimeout.String() != "250ms" {
		t.Errorf("cluster config = %+v", c)
	}
	if _, err := parseArgs([]string{"-behavior", "resp", "-cluster", "c", "-node-addr", "127.0.0.1:17001", "-etcd", "http://127.0.0.1:2379", "-lease-ttl", "1s"}, io.Discard); err != nil {
		t.Errorf("-etcd with -lease-ttl: %v", err)
	}
}
