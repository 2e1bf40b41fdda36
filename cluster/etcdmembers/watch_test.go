package etcdmembers

import (
	"testing"

	"github.com/sirupsen/logrus/hooks/test"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// TestMemberLeftNamesTheAddress ensures "etcd: member left" names the
// member's address, as "member joined" does: its ID alone (the actor
// system's random ID) names no node a reader of the log knows.
func TestMemberLeftNamesTheAddress(t *testing.T) {
	log, hook := test.NewNullLogger()
	p := &Provider{log: log.WithField("cluster", "demo"), dir: "/async_server/demo/", key: "/async_server/demo/self"}
	members := map[string]member{"abc": {ID: "abc", Host: "127.0.0.1", Port: 7103}}
	p.apply(members, &clientv3.Event{Type: mvccpb.DELETE, Kv: &mvccpb.KeyValue{Key: []byte("/async_server/demo/abc")}})
	if len(members) != 0 {
		t.Fatalf("members after the delete: %v; want none", members)
	}
	e := hook.LastEntry()
	if e == nil || e.Message != "etcd: member left" || e.Data["address"] != "127.0.0.1:7103" || e.Data["member"] != "abc" {
		t.Fatalf("log entry %+v; want \"etcd: member left\" with member abc and address 127.0.0.1:7103", e)
	}
}
