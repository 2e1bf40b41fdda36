package resp

import "testing"

// TestExecShardRefusals states what EXEC refuses in cluster mode, and that
// each refusal says why: a command the node answers itself (DBSIZE, INFO)
// is served outside MULTI, so "has no key: not supported" would be wrong.
func TestExecShardRefusals(t *testing.T) {
	q := func(words ...string) queued {
		args := make([][]byte, len(words))
		for i, w := range words {
			args[i] = []byte(w)
		}
		return queued{spec: lookup(args[0]), args: args}
	}
	for _, tc := range []struct {
		cmds []queued
		want string
	}{
		{[]queued{q("set", "{a}x", "1"), q("get", "{a}y")}, ""},
		{[]queued{q("set", "a", "1"), q("get", "b")}, errCrossSlot},
		{[]queued{q("get", "a"), q("keys", "*")}, "ERR 'keys' has no key: not supported in cluster mode (the keys are spread over shards)"},
		{[]queued{q("get", "a"), q("dbsize")}, "ERR 'dbsize' runs on the node, not in a shard: not supported inside MULTI in cluster mode"},
		{[]queued{q("info", "keyspace")}, "ERR 'info' runs on the node, not in a shard: not supported inside MULTI in cluster mode"},
	} {
		if _, got := execShard(tc.cmds); got != tc.want {
			t.Errorf("execShard(... %q) = %q; want %q", tc.cmds[len(tc.cmds)-1].args, got, tc.want)
		}
	}
}
