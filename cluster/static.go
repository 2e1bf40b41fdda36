package cluster

import (
	"net"
	"strconv"

	pcluster "github.com/asynkron/protoactor-go/cluster"
)

// staticProvider is the -peers membership: every node publishes the same
// fixed member list once, at start, and never changes it. Each member's ID is
// its address, so every node computes the same topology (and hash), and
// disthash, which hashes addresses, the same placement. No failure detection:
// a member that dies keeps its share of the grains until it returns, so a
// grain never lives on two nodes, and a request for one it owns fails within
// the request timeout meanwhile.
type staticProvider struct {
	peers []string
}

var _ pcluster.ClusterProvider = (*staticProvider)(nil)

func newStaticProvider(peers []string) *staticProvider {
	return &staticProvider{peers: append([]string(nil), peers...)}
}

// StartMember publishes the list. Every node hosts every kind this one
// hosts: the nodes of a cluster run the same behaviors.
func (p *staticProvider) StartMember(c *pcluster.Cluster) error {
	c.MemberList.UpdateClusterTopology(p.members(c.GetClusterKinds()))
	return nil
}

// StartClient is not used: a node always hosts grains.
func (p *staticProvider) StartClient(c *pcluster.Cluster) error {
	c.MemberList.UpdateClusterTopology(p.members(nil))
	return nil
}

// Shutdown has nothing to tell: the list does not change when a node leaves.
func (p *staticProvider) Shutdown(bool) error { return nil }

func (p *staticProvider) members(kinds []string) pcluster.Members {
	ms := make(pcluster.Members, 0, len(p.peers))
	for _, a := range p.peers {
		host, port, _ := net.SplitHostPort(a) // Config.Validate checked them
		n, _ := strconv.Atoi(port)
		ms = append(ms, &pcluster.Member{Id: a, Host: host, Port: int32(n), Kinds: append([]string(nil), kinds...)})
	}
	return ms
}
