package resp

import "strings"

// Routing by shard in cluster mode (server.clustered): a key-space command
// goes, through the node's shard router (shard_router.go), to the shard
// grain of its keys' slot (slot.go). What a shard cannot do alone is
// refused on the connection, before anything is sent:
//
//   - a command whose keys are in more than one slot: CROSSSLOT, Redis
//     Cluster's error (a hash tag puts keys in one slot);
//   - a key-space command without keys (KEYS, SCAN, RANDOMKEY, FLUSHALL,
//     FLUSHDB, SWAPDB): the keys are spread over the shards. INFO, DBSIZE,
//     CONFIG and DEBUG SLEEP run on the node's own key space, which holds no
//     key in cluster mode: DBSIZE and INFO's keyspace count the keys of the
//     shards the node hosts, as Redis Cluster's count the node asked, and
//     INFO's used_memory and evicted_keys are the node's shards' too
//     (memory_cluster.go);
//   - a blocking command (BLPOP, BLMOVE, BZPOPMIN, ...) outside MULTI: it
//     would hold its shard's grain; inside MULTI it answers at once, as on
//     one node;
//   - WATCH (UNWATCH answers +OK: there is nothing to forget);
//   - (in the shard, as Redis Cluster in sort.c) SORT's BY and GET patterns
//     that may form keys outside the sorted key's slot (cmd_sort.go);
//   - EXEC of a transaction whose key-space commands are in more than one
//     slot (CROSSSLOT), or include one without keys, or one the node answers
//     itself (INFO, DBSIZE, CONFIG): the transaction is discarded. A
//     transaction runs within its one shard, atomically.

// toShard sends a key-space command to its shard, or refuses it.
func (s *session) toShard(spec *Command, args [][]byte) {
	switch {
	case spec.fullName == "unwatch":
		s.local().OK()
		s.endLocal()
		return
	case spec.fullName == "watch":
		s.srv.rejected(spec)
		s.reject("ERR WATCH is not supported in cluster mode here")
		return
	case nodeLocal(spec):
		s.remote(s.keySpace, cmd{Index: spec.index, DB: s.db, Args: args})
		return
	case spec.Flags&Blocking != 0:
		s.srv.rejected(spec)
		s.reject("ERR blocking commands ('" + spec.fullName + "') are not supported in cluster mode here")
		return
	}
	slot, refused := slotOf(spec, args)
	if refused != "" {
		s.srv.rejected(spec)
		s.reject(refused)
		return
	}
	s.remoteShard(s.shards, shardOf(slot), cmd{Index: spec.index, DB: s.db, Args: args})
}

// slotOf is the one slot of a command's keys, or why it cannot run in
// cluster mode.
func slotOf(spec *Command, args [][]byte) (int, string) {
	keys := spec.keysOf(args)
	if len(keys) == 0 {
		return 0, "ERR '" + spec.fullName + "' has no key: not supported in cluster mode (the keys are spread over shards)"
	}
	slot := -1
	for _, i := range keys {
		if i >= len(args) {
			continue
		}
		k := keySlot(args[i])
		if slot >= 0 && k != slot {
			return 0, errCrossSlot
		}
		slot = k
	}
	return max(slot, 0), ""
}

// execShard is the shard of a transaction's key-space commands (0 when it
// has none), or why EXEC cannot run it in cluster mode.
func execShard(cmds []queued) (int, string) {
	slot := -1
	for _, q := range cmds {
		if q.spec.Where == OnConn {
			continue
		}
		if nodeLocal(q.spec) { // served outside MULTI: say why not here
			return 0, "ERR '" + q.spec.fullName + "' runs on the node, not in a shard: not supported inside MULTI in cluster mode"
		}
		k, refused := slotOf(q.spec, q.args)
		if refused != "" {
			return 0, refused
		}
		if slot >= 0 && k != slot {
			return 0, errCrossSlot
		}
		slot = k
	}
	return shardOf(max(slot, 0)), ""
}

// nodeLocal says whether a key-space command runs on the node's own key
// space in cluster mode: it reads or sets the server, not keys.
func nodeLocal(spec *Command) bool {
	return spec.FirstKey == 0 && spec.Keys == nil &&
		(spec.Name == "info" || spec.Name == "dbsize" || spec.Name == "debug" || strings.HasPrefix(spec.fullName, "config|") || strings.HasPrefix(spec.Name, "test."))
}
