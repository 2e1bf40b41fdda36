package crossnode_test

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	pcluster "github.com/asynkron/protoactor-go/cluster"

	"async_server/behaviors/chat"
	"async_server/cluster/clustertest"
)

// waitLine bounds one read: generous, as the nodes are -race binaries on a
// shared machine; a read that succeeds returns at once.
const waitLine = 20 * time.Second

// client is an nc-style chat client of one node.
type client struct {
	net.Conn
	r *bufio.Reader
	t testing.TB
}

// dial connects to node n and reads the welcome line.
func dial(t testing.TB, n *clustertest.Node) *client {
	t.Helper()
	return dialAddr(t, n.Listen)
}

// dialAddr connects to the chat listener addr and reads the welcome line.
func dialAddr(t testing.TB, addr string) *client {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, waitLine)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	cl := &client{Conn: c, r: bufio.NewReader(c), t: t}
	if got := cl.read(); !strings.HasPrefix(got, "* welcome, you are guest-") {
		t.Fatalf("read %q; want the welcome line", got)
	}
	return cl
}

// join dials node n, takes nick and joins room; it returns the client and
// the join's answer.
func join(t testing.TB, n *clustertest.Node, nick, room string) (*client, string) {
	t.Helper()
	c := dial(t, n)
	c.send("/nick "+nick, "/join "+room)
	c.expect("* you are now " + nick)
	return c, c.read()
}

func (c *client) send(lines ...string) {
	c.t.Helper()
	_ = c.SetWriteDeadline(time.Now().Add(waitLine))
	if _, err := c.Write([]byte(strings.Join(lines, "\n") + "\n")); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *client) read() string {
	c.t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitLine))
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, line)
	}
	return strings.TrimSuffix(line, "\n")
}

// skipUntil reads lines until one starts with prefix.
func (c *client) skipUntil(prefix string) {
	c.t.Helper()
	for !strings.HasPrefix(c.read(), prefix) {
	}
}

func (c *client) expect(want ...string) {
	c.t.Helper()
	for _, w := range want {
		if got := c.read(); got != w {
			c.t.Fatalf("read %q; want %q", got, w)
		}
	}
}

// roomOn returns a room name whose grain the cluster of nodes places on
// owner: rendezvous hashing over the members' addresses, as disthash does
// (the static list's members are the -peers addresses).
func roomOn(t testing.TB, nodes []*clustertest.Node, owner *clustertest.Node, prefix string) string {
	t.Helper()
	rdv := pcluster.NewRendezvous()
	ms := make(pcluster.Members, 0, len(nodes))
	for _, n := range nodes {
		ap := netip.MustParseAddrPort(n.Addr)
		ms = append(ms, &pcluster.Member{Id: n.Addr, Host: ap.Addr().String(), Port: int32(ap.Port()),
			Kinds: []string{chat.GrainKind}})
	}
	rdv.UpdateMembers(ms)
	for i := range 1000 {
		name := fmt.Sprintf("%s%d", prefix, i)
		if rdv.GetByClusterIdentity(pcluster.NewClusterIdentity(name, chat.GrainKind)) == owner.Addr {
			return name
		}
	}
	t.Fatalf("no room name of 1000 placed on %s", owner.Addr)
	return ""
}
