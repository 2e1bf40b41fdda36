package cluster

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// listCheck tells, in the log, of a member whose -peers list is not this
// node's. Nothing else would: nodes given different lists place grains
// differently, and a node started with -peers A beside one with -peers A,B
// split the keys (B read 4 of 6 keys set through A as nil), silently. With
// -peers each ping carries its sender's address and its list's hash
// (pingText); the ping actor compares the hash with its own.
type listCheck struct {
	log    *logrus.Entry
	self   string               // this node's address
	hash   string               // its list's hash; "" with etcd: no check
	list   string               // its list, for the log
	logged map[string]time.Time // when a member's difference was last logged
}

// listLogEvery is how often a member's difference is logged again.
const listLogEvery = time.Minute

func newListCheck(cfg Config, log *logrus.Entry) *listCheck {
	c := &listCheck{log: log, self: cfg.NodeAddr, logged: map[string]time.Time{}}
	if len(cfg.Peers) > 0 {
		peers := slices.Sorted(slices.Values(cfg.Peers))
		c.list = strings.Join(peers, ",")
		h := fnv.New64a()
		h.Write([]byte(c.list))
		c.hash = fmt.Sprintf("%016x", h.Sum64())
	}
	return c
}

// ping is what this node pings the others with: its address and list's
// hash with -peers, nothing with etcd.
func (c *listCheck) ping() *Outgoing {
	if c.hash == "" {
		return NewOutgoing(&emptypb.Empty{})
	}
	return NewOutgoing(wrapperspb.String(c.self + " " + c.hash))
}

// receive is the ping actor's: it compares a ping's hash with this node's.
func (c *listCheck) receive(ctx actor.Context) {
	v, ok := ctx.Message().(*wrapperspb.StringValue)
	if !ok || c.hash == "" {
		return
	}
	from, hash, _ := strings.Cut(v.GetValue(), " ")
	if hash == c.hash || time.Since(c.logged[from]) < listLogEvery {
		return
	}
	if len(c.logged) >= maxRepeatMembers {
		clear(c.logged) // a stranger may ping with any address
	}
	c.logged[from] = time.Now()
	c.log.WithFields(logrus.Fields{"member": capText(from), "ours": capText(c.list)}).
		Error("cluster: a member was given another -peers list than this node: the nodes place grains differently; give every node the same list")
}

// maxRepeatMembers bounds the members listCheck remembers.
const maxRepeatMembers = 1024
