package etcdmembers

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/cluster"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Caps on what is read from etcd: anyone who can write under the prefix
// could put anything there.
const (
	maxValue = 4 << 10
	maxKinds = 256
	maxID    = 128
)

// relistPause spaces re-reads while etcd is down; the keep-alive, not the
// watch, decides when this node must give up.
const relistPause = 100 * time.Millisecond

// member is a member key's value.
type member struct {
	ID    string   `json:"id"`
	Host  string   `json:"host"`
	Port  int      `json:"port"`
	Kinds []string `json:"kinds"`
}

func (m member) encode() ([]byte, error) { return json.Marshal(m) }

// decodeMember reads the value of key (under dir), refusing what does not fit.
func decodeMember(dir string, key, value []byte) (member, error) {
	var m member
	if len(value) > maxValue {
		return m, fmt.Errorf("value of %d bytes, at most %d", len(value), maxValue)
	}
	if err := json.Unmarshal(value, &m); err != nil {
		return m, err
	}
	switch {
	case m.ID == "" || len(m.ID) > maxID || dir+m.ID != string(key):
		return m, fmt.Errorf("member id %q does not match its key", capped(m.ID))
	case len(m.Kinds) > maxKinds:
		return m, fmt.Errorf("%d kinds, at most %d", len(m.Kinds), maxKinds)
	case m.Port <= 0 || m.Port > 65535 || m.Host == "":
		return m, fmt.Errorf("address %q:%d", capped(m.Host), m.Port)
	}
	return m, nil
}

// list reads every member and the revision of that read.
func (p *Provider) list(ctx context.Context) (map[string]member, int64, error) {
	resp, err := p.client.Get(ctx, p.dir, clientv3.WithPrefix())
	if err != nil {
		return nil, 0, err
	}
	members := make(map[string]member, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		m, err := decodeMember(p.dir, kv.Key, kv.Value)
		if err != nil {
			p.log.WithError(err).WithField("key", capped(string(kv.Key))).Warn("etcd: member value ignored")
			continue
		}
		members[m.ID] = m
	}
	return members, resp.Header.Revision, nil
}

// runWatch is the watch goroutine: it follows the members from rev + 1 until
// Shutdown. When a watch ends with an error (etcd compacted past it, or the
// stream broke), it reads the members again and watches from that read.
func (p *Provider) runWatch(members map[string]member, rev int64) {
	defer p.wg.Done()
	for p.ctx.Err() == nil {
		p.follow(members, rev)
		for p.ctx.Err() == nil {
			ctx, cancel := context.WithTimeout(p.ctx, p.cfg.DialTimeout)
			fresh, freshRev, err := p.list(ctx)
			cancel()
			if err == nil {
				members, rev = fresh, freshRev
				p.checkSelf(members)
				p.publish(members)
				break
			}
			p.pause(relistPause)
		}
	}
}

// follow applies the watch's events to members and tells the member list
// after each batch, until the watch ends.
func (p *Provider) follow(members map[string]member, rev int64) {
	ctx, cancel := context.WithCancel(clientv3.WithRequireLeader(p.ctx))
	defer cancel()
	for resp := range p.client.Watch(ctx, p.dir, clientv3.WithPrefix(), clientv3.WithRev(rev+1)) {
		if err := resp.Err(); err != nil {
			p.log.WithError(err).Warn("etcd watch ended; reading the members again")
			return
		}
		for _, ev := range resp.Events {
			p.apply(members, ev)
		}
		p.publish(members)
	}
}

// apply makes one event's change to members.
func (p *Provider) apply(members map[string]member, ev *clientv3.Event) {
	key := string(ev.Kv.Key)
	id := strings.TrimPrefix(key, p.dir)
	if ev.Type == mvccpb.DELETE {
		if m, ok := members[id]; ok {
			delete(members, id)
			// The address, as "member joined" says: the ID alone names no node
			// a reader knows.
			p.log.WithField("member", capped(id)).WithField("address", fmt.Sprintf("%s:%d", m.Host, m.Port)).
				Info("etcd: member left")
		}
		if key == p.key {
			p.lose(fmt.Errorf("%w: this node's key was deleted", ErrLeaseLost))
		}
		return
	}
	m, err := decodeMember(p.dir, ev.Kv.Key, ev.Kv.Value)
	if err != nil {
		p.log.WithError(err).WithField("key", capped(key)).Warn("etcd: member value ignored")
		return
	}
	if _, ok := members[m.ID]; !ok {
		p.log.WithField("member", m.ID).WithField("address", fmt.Sprintf("%s:%d", m.Host, m.Port)).
			Info("etcd: member joined")
	}
	members[m.ID] = m
}

// checkSelf treats a fresh read without this node's key as the lease's loss.
func (p *Provider) checkSelf(members map[string]member) {
	if p.key == "" {
		return // a client: it has no key
	}
	if _, ok := members[p.self.ID]; !ok {
		p.lose(fmt.Errorf("%w: this node's key is gone", ErrLeaseLost))
	}
}

// publish tells the cluster's member list the whole member set; it works out
// who joined and left. Called from one goroutine at a time (StartMember, then
// the watch goroutine only).
func (p *Provider) publish(members map[string]member) {
	list := make([]*cluster.Member, 0, len(members))
	for _, m := range members {
		kinds := m.Kinds
		if kinds == nil {
			kinds = []string{}
		}
		list = append(list, &cluster.Member{Id: m.ID, Host: m.Host, Port: int32(m.Port), Kinds: kinds})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Id < list[j].Id })
	p.cluster.MemberList.UpdateClusterTopology(list)
}

// pause waits d or until Shutdown.
func (p *Provider) pause(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-p.ctx.Done():
	}
}
